// A single-line progress display for long CLI work: counts, rate and ETA, redrawn at most 4× a second.
import { formatDuration } from '../runs/describe.ts';

export { formatDuration };

export type ProgressState = { done: number; total?: number; failed?: number; extra?: string };

export function formatProgress(
  label: string,
  p: ProgressState,
  elapsedSeconds: number,
  unit = 'items',
): string {
  const rate = elapsedSeconds > 0 ? p.done / elapsedSeconds : 0;
  const parts = [
    `${label}: ${p.done.toLocaleString('en-US')}${p.total !== undefined ? `/${p.total.toLocaleString('en-US')}` : ''} ${unit}`,
  ];
  if (p.total) parts.push(`${((100 * p.done) / p.total).toFixed(1)}%`);
  parts.push(`${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s`);
  if (p.total !== undefined && rate > 0) parts.push(`ETA ${formatDuration((p.total - p.done) / rate)}`);
  if (p.failed) parts.push(`${p.failed.toLocaleString('en-US')} failed`);
  if (p.extra) parts.push(p.extra);
  return parts.join(' · ');
}

export function createProgress(label: string, unit = 'items', stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let last = 0;
  let lastLine = '';
  const tty = stream.isTTY;
  const draw = (p: ProgressState, force = false) => {
    const now = Date.now();
    if (!force && now - last < (tty ? 250 : 5000)) return;
    last = now;
    lastLine = formatProgress(label, p, (now - started) / 1000, unit);
    stream.write(tty ? `\r\x1b[2K${lastLine}` : `${lastLine}\n`);
  };
  return {
    update: (p: ProgressState) => draw(p),
    done: (p: ProgressState) => {
      draw(p, true);
      if (tty) stream.write('\n');
      return lastLine;
    },
  };
}
