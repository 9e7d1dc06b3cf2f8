// A duplicates finishing step's progress as stage notes (Runs page, CLI): the index build it waits for, then the
// near-duplicate search's counts, rate and ETA, as the stages' own progress shows them.
import type { PairPassProgress } from '../clip/pairPass.ts';
import { describeBuildWait, type AnnBuildWait } from './annBuildWait.ts';
import { formatDuration } from './describe.ts';

const n = (v: number) => v.toLocaleString('en-US');

/** `from`: where this phase's count stood when it started (a resumed pass by cells starts at its next cell). */
export function formatPairProgress(p: PairPassProgress, seconds: number, from = 0): string {
  const rate = seconds > 0 ? (p.searched - from) / seconds : 0;
  const what =
    p.unit === 'cells'
      ? 'cells compared'
      : p.unit === 'read'
        ? 'embeddings read for the cells'
        : 'new photos searched';
  const parts = [`near-duplicates: ${n(p.searched)}/${n(p.total)} ${what}`];
  if (p.total > 0) parts.push(`${((100 * p.searched) / p.total).toFixed(1)}%`);
  if (rate > 0)
    parts.push(
      `${rate.toFixed(rate < 10 ? 2 : 0)}/s`,
      `ETA ${formatDuration((p.total - p.searched) / rate)}`,
    );
  parts.push(`${n(p.pairs)} new pairs`);
  return parts.join(' · ');
}

/** Notes at most every `everyMs` (the last of a search always), so a 10M pass writes a line every few seconds, not per block. */
export function finishNotes(note: (m: string) => Promise<void>, everyMs = 5000) {
  let last = 0;
  let started = 0;
  let from = 0;
  let unit: PairPassProgress['unit'];
  let sent = false;
  const send = (m: string, force = false) => {
    if (!force && Date.now() - last < everyMs) return Promise.resolve();
    last = Date.now();
    sent = true;
    return note(m).catch(() => {});
  };
  return {
    /** The step's outcome replaces its last progress line (a step that noted nothing leaves the stage's note alone). */
    finish: async (outcome: string) => {
      if (sent) await note(outcome).catch(() => {});
    },
    onWait: (w: AnnBuildWait) => send(describeBuildWait(w), true),
    onProgress: (p: PairPassProgress) => {
      // Each phase (embeddings read, cells compared, photos searched) has its own rate; a resumed one starts past 0.
      if (p.searched === 0 || p.unit !== unit) {
        started = Date.now();
        from = p.searched;
        unit = p.unit;
      }
      void send(formatPairProgress(p, (Date.now() - started) / 1000, from), p.searched === p.total);
    },
  };
}
