// Crop search over worker threads: the crop index is copied once into shared memory and each worker probes whole batches of windows.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CROP_KEYS, CROP_WINDOWS } from '../fingerprints/cropHash.ts';
import {
  MAX_PASS_WINDOWS,
  probeScratch,
  type CropSink,
  type CropTable,
  type WindowColumns,
} from './cropProbes.ts';
import { buildCropIndex, buildCropTable, searchWindows, type CropSearchOptions } from './cropSearch.ts';
import type { HashColumns } from './dedupIndex.ts';

/** Below this many photos the search takes about a second and starting workers would cost more. */
const MIN_PHOTOS_FOR_WORKERS = 200_000;
/**
 * Windows per batch (~116,000 photos). Larger batches share one read of each table among more probes: on the
 * 10M bench, 2^21 windows cost ~10 % less CPU per probe than 2^20 but need twice the scratch.
 */
export const BATCH_WINDOWS = 1 << 20;

export type CropWorkerInit = { tables: CropTable[]; options: CropSearchOptions; capacity: number };
export type CropWorkerResult = { columns: WindowColumns; hits: Int32Array; probes: number };

export type CropSearcher = {
  /** An empty batch of `capacity` windows to fill; waits while every buffer is out with a worker. */
  next(): Promise<WindowColumns>;
  /** Hands a filled batch (from next()) over for probing; its hits reach the sink in the calling thread. */
  submit(w: WindowColumns): void;
  /** Waits for every submitted batch, stops the workers and returns the number of bucket probes. */
  finish(): Promise<number>;
  /** Stops the workers without waiting for their batches (after an error elsewhere). */
  close(): Promise<void>;
};

export function windowColumns(capacity: number): WindowColumns {
  return {
    count: 0,
    hi: new Uint32Array(capacity),
    lo: new Uint32Array(capacity),
    weakHi: new Uint32Array(capacity),
    weakLo: new Uint32Array(capacity),
    owner: new Uint32Array(capacity),
    window: new Uint8Array(capacity),
  };
}

const columnsOf = (w: WindowColumns) =>
  [
    w.hi.buffer,
    w.lo.buffer,
    w.weakHi.buffer,
    w.weakLo.buffer,
    w.owner.buffer,
    w.window.buffer,
  ] as ArrayBuffer[];

function shared<T extends Uint32Array | Int32Array | Uint8Array>(a: T): T {
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Builds the crop index over `full` and returns a searcher for batches of windows. With `threads` > 0 (default:
 * one per core for 200,000 photos or more) the tables are copied into SharedArrayBuffers and each worker
 * probes one batch at a time with its own scratch (8 B per probe: 128 MB for a full batch); otherwise batches
 * are probed in the calling thread.
 */
export async function startCropSearch(
  full: HashColumns,
  options: CropSearchOptions,
  sink: CropSink,
  opts: { threads?: number; capacity?: number } = {},
): Promise<CropSearcher> {
  const threads = opts.threads ?? (full.count >= MIN_PHOTOS_FOR_WORKERS ? availableParallelism() : 0);
  const capacity = Math.max(
    CROP_WINDOWS.length,
    Math.min(opts.capacity ?? BATCH_WINDOWS, MAX_PASS_WINDOWS, full.count * CROP_WINDOWS.length),
  );
  if (threads <= 0) return inlineSearcher(buildCropIndex(full).tables, options, sink, capacity);
  const tables = CROP_KEYS.map((_, k) => {
    const t = buildCropTable(full, k);
    return { ...t, offsets: shared(t.offsets), ids: shared(t.ids), hashes: shared(t.hashes) };
  });
  const init: CropWorkerInit = {
    tables,
    options: { ...options, skip: options.skip && shared(options.skip) },
    capacity,
  };
  return workerSearcher(init, threads, sink);
}

function inlineSearcher(
  tables: CropTable[],
  options: CropSearchOptions,
  sink: CropSink,
  capacity: number,
): CropSearcher {
  const w = windowColumns(capacity);
  const scratch = probeScratch(capacity, options.weakBits);
  let probes = 0;
  return {
    next: async () => {
      w.count = 0;
      return w;
    },
    submit: (batch) => {
      probes += searchWindows({ tables }, batch, options, sink, scratch);
    },
    finish: async () => probes,
    close: async () => {},
  };
}

function workerSearcher(init: CropWorkerInit, threads: number, sink: CropSink): CropSearcher {
  // A plain path, as for other files beside the modules: a bundler must not take the worker for one of its entries.
  const entry = path.join(import.meta.dirname, 'cropSearchWorker.mjs');
  const workers = Array.from({ length: threads }, () => new Worker(entry, { workerData: init }));
  const idle = [...workers];
  const queued: WindowColumns[] = [];
  const free: WindowColumns[] = Array.from({ length: threads + 2 }, () => windowColumns(init.capacity));
  const waitingForBuffer: ((w: WindowColumns) => void)[] = [];
  let busy = 0;
  let probes = 0;
  let failure: Error | null = null;
  let stopping = false;
  let settle: { resolve: () => void; reject: (e: Error) => void } | null = null;

  const release = (w: WindowColumns) => {
    w.count = 0;
    const waiter = waitingForBuffer.shift();
    if (waiter) waiter(w);
    else free.push(w);
  };
  const dispatch = () => {
    while (idle.length > 0 && queued.length > 0) {
      const w = queued.shift()!;
      busy++;
      idle.pop()!.postMessage(w, columnsOf(w));
    }
    if (busy === 0 && queued.length === 0) settle?.resolve();
  };
  const fail = (e: Error) => {
    failure ??= e;
    settle?.reject(failure);
    for (const waiter of waitingForBuffer.splice(0)) waiter(windowColumns(0));
  };
  for (const worker of workers) {
    worker.on('message', (r: CropWorkerResult) => {
      busy--;
      probes += r.probes;
      const h = r.hits;
      for (let k = 0; k < h.length; k += 4) sink(h[k], h[k + 1], h[k + 2], h[k + 3]);
      idle.push(worker);
      release(r.columns);
      dispatch();
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!stopping) fail(new Error(`crop search worker stopped (exit code ${code})`));
    });
  }
  const stop = async () => {
    stopping = true;
    await Promise.all(workers.map((w) => w.terminate()));
  };
  return {
    next: () => {
      if (failure) return Promise.reject(failure);
      const w = free.pop();
      return w
        ? Promise.resolve(w)
        : new Promise((resolve) => waitingForBuffer.push(resolve)).then((w) => {
            if (failure) throw failure;
            return w as WindowColumns;
          });
    },
    submit: (w) => {
      if (failure) throw failure;
      if (w.count === 0) release(w);
      else queued.push(w);
      dispatch();
    },
    finish: async () => {
      try {
        if (failure) throw failure;
        await new Promise<void>((resolve, reject) => {
          settle = { resolve, reject };
          dispatch();
        });
        return probes;
      } finally {
        await stop();
      }
    },
    close: stop,
  };
}
