// The scale bench's export, in a process of its own so its peak memory is the export's: the real export stage
// (snapshot, inclusion rule, Parquet writer) from the database in DATABASE_URL. Prints one JSON line.
import { readFile } from 'node:fs/promises';
import { disconnectDb } from '../../../lib/db.ts';
import { runExport } from '../../../pipeline/export/export.ts';

const [outDir, licenses] = process.argv.slice(2);
const t0 = performance.now();
const r = await runExport({ formats: ['parquet'], licenses: licenses.split(',').map(Number), outDir });
const seconds = (performance.now() - t0) / 1000;
const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8'));
await disconnectDb();
console.log(
  JSON.stringify({
    rows: r.rowCount,
    seconds,
    peakRssBytes: hwm ? Number(hwm[1]) * 1024 : null,
    bytes: r.files.reduce((n, f) => n + (f.bytes ?? 0), 0),
  }),
);
process.exit(0);
