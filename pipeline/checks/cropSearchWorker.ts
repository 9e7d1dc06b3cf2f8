// Crop search worker: probes each batch of windows it is sent against the shared crop index and sends the batch back with its hits.
import { parentPort, workerData } from 'node:worker_threads';
import { probeScratch, type WindowColumns } from './cropProbes.ts';
import { searchWindows } from './cropSearch.ts';
import type { CropWorkerInit, CropWorkerResult } from './cropSearchPool.ts';

const { tables, options, capacity } = workerData as CropWorkerInit;
const scratch = probeScratch(capacity, options.weakBits);
const port = parentPort!;

port.on('message', (columns: WindowColumns) => {
  let hits = new Int32Array(1024);
  let n = 0;
  const probes = searchWindows(
    { tables },
    columns,
    options,
    (i, j, d, win) => {
      if (n + 4 > hits.length) {
        const grown = new Int32Array(2 * hits.length);
        grown.set(hits);
        hits = grown;
      }
      hits[n++] = i;
      hits[n++] = j;
      hits[n++] = d;
      hits[n++] = win;
    },
    scratch,
  );
  const result: CropWorkerResult = { columns, hits: hits.slice(0, n), probes };
  const w = columns;
  port.postMessage(result, [
    w.hi.buffer,
    w.lo.buffer,
    w.weakHi.buffer,
    w.weakLo.buffer,
    w.owner.buffer,
    w.window.buffer,
    result.hits.buffer,
  ] as ArrayBuffer[]);
});
