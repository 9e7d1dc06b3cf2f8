// Names of the job framework's pg-boss queues: one per stage, and one that collects the batches that failed for good.
export const queueName = (stage: string) => `quarry-${stage}`;

/** pg-boss copies a job here once it has failed its last attempt (however it failed: threw, expired, lost its worker). */
export const DEAD_LETTER_QUEUE = 'quarry-failed';

/** Builds of the ANN index of CLIP embeddings (runs/annBuild.ts), keyed by DATA_DIR. */
export const ANN_BUILD_QUEUE = 'quarry-ann-build';
/**
 * 'stately': per singleton key at most one job waits and one runs. Requests made while a build waits join it (it has
 * not read the embeddings yet, so it will see theirs); a request made while one runs queues the one next build, which
 * picks up whatever the running one started too early to see.
 */
export const ANN_BUILD_QUEUE_OPTIONS = { policy: 'stately' } as const;

/** The whole index of a large collection takes long to build (~2 h at 10M on 2 cores): heartbeats, not this, catch a dead builder. */
export const BUILD_EXPIRE_SECONDS = 6 * 3600;
/**
 * The clip stage's finishing job waits for a build (up to BUILD_EXPIRE_SECONDS) and then searches the photos embedded
 * since the last pass (after a rebuild, all of them: about a build's time again), so it gets two builds' span instead
 * of RUN_EXPIRE_SECONDS (1 h), which a 10M build outlasts. Expiring sooner would only make pg-boss retry a job that is
 * alive (heartbeats catch a dead one); the retry would resume, but spend an attempt.
 */
export const ANN_FINISH_EXPIRE_SECONDS = 2 * BUILD_EXPIRE_SECONDS;
