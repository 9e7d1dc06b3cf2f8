// The contract between the job framework and a pipeline stage: plan batches, run one batch, optionally finish up.
import type { StageFinishing } from '../../lib/domain/stageFinishing.ts';
import type { FailureTally } from '../../lib/domain/failureTally.ts';
import type { ResolvedRunConfig } from './config.ts';

export type RunInfo = { id: string; config: ResolvedRunConfig };

/** One unit of work: `key` is unique within the run's stage; `items` is what progress counts. */
export type BatchSpec = { key: string; params: Record<string, unknown>; items: number };

export type BatchContext = {
  runId: string;
  config: ResolvedRunConfig;
  /** Aborted when the worker shuts down or loses the batch to another worker. */
  signal: AbortSignal;
  /** Touches the job's pg-boss heartbeat now (pg-boss also beats on a timer while the batch runs). */
  heartbeat: () => Promise<void>;
  /**
   * Shows a line on the stage where the Runs page and the CLI show its notes (a finishing step's progress: counts,
   * rate, ETA; what it waits for), with those figures as `finishing` (see finishNotes). Callers keep it to a few a
   * minute.
   */
  note: (message: string, finishing?: StageFinishing) => Promise<void>;
};

/** Per-item failures are data: the one tally shape (lib/domain/failureTally.ts); a batch with none may leave the kinds out. */
export type BatchResult = Omit<FailureTally, 'failuresByKind'> & {
  failuresByKind?: FailureTally['failuresByKind'];
  note?: string;
};

/** `note` tells the admin something about the stage as a whole (e.g. "CLIP model not installed"). */
export type PlanContext = { note: (message: string) => void };

export type StageAdapter = {
  name: string;
  label: string;
  /** Cuts the stage into batches; consumed as a stream so a 10M-item stage never sits in memory. */
  plan: (run: RunInfo, ctx: PlanContext) => AsyncIterable<BatchSpec> | Iterable<BatchSpec>;
  runBatch: (
    batch: { key: string; params: Record<string, unknown> },
    ctx: BatchContext,
  ) => Promise<BatchResult>;
  /** Why the stage cannot run at all here (missing API key...), checked when a run is created. */
  preflight?: () => string | null;
  /** Whole-stage work after every batch is done (e.g. duplicate grouping), run as its own job. */
  after?: (run: RunInfo, ctx: BatchContext) => Promise<BatchResult | void>;
  /**
   * How long the finishing job may run before pg-boss expires and retries it, when longer than RUN_EXPIRE_SECONDS
   * (heartbeats, not expiry, catch a dead worker). Declared in the catalog, which queues the job.
   */
  afterExpireSeconds?: number;
};

/** `{ [kind]: n }` when n > 0, else `{}`. */
export const failures = (kind: string, n: number): Record<string, number> => (n > 0 ? { [kind]: n } : {});

/**
 * What starting, advancing and controlling a run needs to know of a stage, without its code (the web app's
 * route handlers use stages/catalog.ts, which loads none of the stages' heavy modules). `after` is truthy
 * when the stage has a finishing step.
 */
export type StageDescriptor = Pick<StageAdapter, 'name' | 'label' | 'preflight' | 'afterExpireSeconds'> & {
  after?: unknown;
};
export type StageRegistry = ReadonlyMap<string, StageDescriptor>;
/** Stages a worker can run. */
export type AdapterRegistry = ReadonlyMap<string, StageAdapter>;

export function registryOf(adapters: readonly StageAdapter[]): AdapterRegistry {
  return new Map(adapters.map((a) => [a.name, a]));
}
