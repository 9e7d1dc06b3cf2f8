// A duplicates finishing step's progress as stage notes (Runs page, CLI): the index build it waits for, then the
// near-duplicate search's counts, rate and ETA, as the stages' own progress shows them. Each note carries its figures
// (run_stages.finishing), from which the Runs page and the CLI show the step as a phase of its own.
import type { DuplicatesProgress, StageFinishing } from '../../lib/domain/stageFinishing.ts';
import type { PairPassProgress } from '../clip/pairPass.ts';
import { describeBuildWait, type AnnBuildWait } from './annBuildWait.ts';
import { describeFinishing } from './describe.ts';

/** Notes at most every `everyMs` (the last of a search always), so a 10M pass writes a line every few seconds, not per block. */
export function finishNotes(note: (m: string, finishing?: StageFinishing) => Promise<void>, everyMs = 5000) {
  let last = 0;
  let started = new Date().toISOString();
  let step: DuplicatesProgress['step'] | null = null;
  let stepStarted = started;
  let from = 0;
  let unit: PairPassProgress['unit'];
  let sent = false;
  let queue: Promise<void> = Promise.resolve();
  const send = (f: StageFinishing, force = false) => {
    if (!force && Date.now() - last < everyMs) return Promise.resolve();
    last = Date.now();
    sent = true;
    // In order: progress callbacks do not wait for their note, and two writes in flight could land swapped.
    queue = queue.then(() => note(describeFinishing(f), f).catch(() => {}));
    return queue;
  };
  return {
    /** The step's outcome replaces its last progress line (a step that noted nothing leaves the stage's note alone). */
    finish: async (outcome: string) => {
      await queue;
      if (sent) await note(outcome).catch(() => {});
    },
    /** The duplicate step's own parts; each starts its own clock (their items take very different times). */
    onDuplicates: (p: DuplicatesProgress) => {
      if (p.total === 0) return; // nothing to count in this part
      if (p.step !== step || p.done === 0) {
        step = p.step;
        stepStarted = new Date().toISOString();
      }
      void send(
        { phase: 'duplicates', ...p, startedAt: stepStarted, notedAt: new Date().toISOString() },
        p.done === 0 && p.total > 0,
      );
    },
    onWait: (w: AnnBuildWait) =>
      send({ phase: 'index-build', message: describeBuildWait(w), notedAt: new Date().toISOString() }, true),
    onProgress: (p: PairPassProgress) => {
      // Each part (embeddings read, cells compared, photos searched) has its own clock; a resumed one starts past 0.
      if (p.searched === 0 || p.unit !== unit) {
        started = new Date().toISOString();
        from = p.searched;
        unit = p.unit;
      }
      void send(
        {
          phase: 'near-duplicates',
          ...p,
          unit: p.unit ?? 'photos',
          from,
          startedAt: started,
          notedAt: new Date().toISOString(),
        },
        p.searched === p.total,
      );
    },
  };
}
