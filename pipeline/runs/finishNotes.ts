// A duplicates finishing step's progress as stage notes (Runs page, CLI): the index build it waits for, then the
// near-duplicate search's counts, rate and ETA, as the stages' own progress shows them. Each note carries its figures
// (run_stages.finishing), from which the Runs page and the CLI show the step as a phase of its own.
import type { StageFinishing } from '../../lib/domain/stageFinishing.ts';
import type { PairPassProgress } from '../clip/pairPass.ts';
import { describeBuildWait, type AnnBuildWait } from './annBuildWait.ts';
import { describeFinishing } from './describe.ts';

/** Notes at most every `everyMs` (the last of a search always), so a 10M pass writes a line every few seconds, not per block. */
export function finishNotes(note: (m: string, finishing?: StageFinishing) => Promise<void>, everyMs = 5000) {
  let last = 0;
  let started = new Date().toISOString();
  let sent = false;
  const send = (f: StageFinishing, force = false) => {
    if (!force && Date.now() - last < everyMs) return Promise.resolve();
    last = Date.now();
    sent = true;
    return note(describeFinishing(f), f).catch(() => {});
  };
  return {
    /** The step's outcome replaces its last progress line (a step that noted nothing leaves the stage's note alone). */
    finish: async (outcome: string) => {
      if (sent) await note(outcome).catch(() => {});
    },
    onWait: (w: AnnBuildWait) =>
      send({ phase: 'index-build', message: describeBuildWait(w), notedAt: new Date().toISOString() }, true),
    onProgress: (p: PairPassProgress) => {
      if (p.searched === 0) started = new Date().toISOString();
      void send(
        { phase: 'near-duplicates', ...p, startedAt: started, notedAt: new Date().toISOString() },
        p.searched === p.total,
      );
    },
  };
}
