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
