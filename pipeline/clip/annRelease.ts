// Returning an in-memory ANN index's native memory to the OS when its builder is done with it, instead of at some GC.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Index, MetricKind, ScalarKind, type UsearchIndex } from './usearch.ts';

/**
 * usearch's JavaScript API has no reset or close; its native view() starts with index_dense's reset() ("erases all
 * members, returning RAM to the OS"), then maps the file it is given. So the index views an empty index file (a
 * hundred bytes, unlinked at once: the mapping keeps it) and afterwards holds nothing; it must not be searched again.
 * Measured: a 100k × 512 f16 index gave back 123 MB of RSS at once (GC had freed none of it).
 */
export function releaseAnnIndex(index: UsearchIndex): void {
  const file = path.join(os.tmpdir(), `quarry-ann-empty-${process.pid}-${Date.now()}.usearch`);
  try {
    new Index({
      dimensions: index.dimensions(),
      metric: MetricKind.Cos,
      quantization: ScalarKind.I8,
      connectivity: 0,
      expansion_add: 0,
      expansion_search: 0,
      multi: false,
    }).save(file);
    index.view(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
