// Stands in for the Next.js server in serverWorker.test.ts: starts the server's worker child exactly as
// instrumentation.ts does, and prints its status (one JSON line per change) and the supervisor's log lines.
import { startServerWorker } from '../../../pipeline/runs/serverWorker.ts';

const worker = startServerWorker({
  concurrency: 1,
  root: process.cwd(),
  baseDelayMs: 200,
  log: (m) => console.log(`log ${m}`),
});
let last = '';
setInterval(() => {
  const s = JSON.stringify({ parent: process.pid, ...worker.status() });
  if (s !== last) console.log(`status ${(last = s)}`);
}, 50);
process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
