// Names of the job framework's pg-boss queues: one per stage, and one that collects the batches that failed for good.
export const queueName = (stage: string) => `quarry-${stage}`;

/** pg-boss copies a job here once it has failed its last attempt (however it failed: threw, expired, lost its worker). */
export const DEAD_LETTER_QUEUE = 'quarry-failed';
