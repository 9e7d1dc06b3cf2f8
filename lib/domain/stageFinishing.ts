// A stage's finishing step (the duplicate pass after the clip or analyze batches) as figures: what it is doing, its
// counts and times. The worker notes it on the stage; the Runs page and the CLI derive rate and ETA from it, so a
// stage whose batches are all done no longer reads "2,011/2,011 · ETA 0s" for the minutes the step runs.

/** The duplicate step's own counted parts, before any CLIP pairs: pixel checks of hash candidates, crops, verdicts. */
export type DuplicatesStep = 'pairs' | 'crops' | 'results';
export type DuplicatesProgress = { step: DuplicatesStep; done: number; total: number };

export type StageFinishing =
  /** Grouping duplicates: one of its counted parts (`step`), `done` of `total`. */
  | ({ phase: 'duplicates'; startedAt: string; notedAt: string } & DuplicatesProgress)
  /** Waiting for (or running) the ANN index build it needs; `message` says which and whether any worker takes it. */
  | { phase: 'index-build'; message: string; notedAt: string }
  /**
   * Near-duplicate pairs: a first pass reads every embedding, then compares them cell by cell; a later one searches
   * the index for the photos embedded since. `searched` of `total` counts `unit` (photos when absent); `from` is where
   * the count stood when this part started (a resumed pass by cells starts at its next cell), so the rate is this
   * part's own.
   */
  | {
      phase: 'near-duplicates';
      searched: number;
      total: number;
      pairs: number;
      unit?: NearDuplicateUnit;
      from?: number;
      startedAt: string;
      notedAt: string;
    };

export type NearDuplicateUnit = 'photos' | 'read' | 'cells';

/** Each near-duplicate part: what it is doing, and what its count counts. */
export const NEAR_DUPLICATE_PARTS: Record<NearDuplicateUnit, [string, string]> = {
  photos: ['comparing new photos in their nearest cells for near-duplicate pairs', 'new photos searched'],
  read: ['reading the embeddings into the index of cells', 'embeddings read for the cells'],
  cells: ['comparing the photos cell by cell for near-duplicate pairs', 'cells compared'],
};

export type FinishingFigures = { percent: number | null; rate: number | null; etaSeconds: number | null };

/** Share done, photos per second since the search started, and the time left at that rate (null while unknown). */
export function finishingFigures(f: StageFinishing): FinishingFigures {
  const done = f.phase === 'near-duplicates' ? f.searched : f.phase === 'duplicates' ? f.done : null;
  if (done === null || f.phase === 'index-build') return { percent: null, rate: null, etaSeconds: null };
  const from = f.phase === 'near-duplicates' ? (f.from ?? 0) : 0;
  const seconds = (Date.parse(f.notedAt) - Date.parse(f.startedAt)) / 1000;
  const rate = seconds > 0 && done > from ? (done - from) / seconds : null;
  return {
    percent: f.total > 0 ? (100 * done) / f.total : null,
    rate,
    // All done: what is left (completing the groups new photos joined, clusters) has no count to time it by.
    etaSeconds: rate && done < f.total ? (f.total - done) / rate : null,
  };
}
