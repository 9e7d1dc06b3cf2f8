// A builder gives its in-memory index's native memory back right after a build, not at whatever GC comes later.
import { describe, expect, it } from 'vitest';
import { addPage, newIndex } from '../../../pipeline/clip/annIndex.ts';
import { releaseAnnIndex } from '../../../pipeline/clip/annRelease.ts';

const rssMb = () => process.memoryUsage().rss / 1e6;

describe('releasing an ANN index', () => {
  it('returns the index’s memory to the OS at once and leaves it empty', () => {
    const n = 50_000;
    const dims = 512;
    const index = newIndex(dims, 'f16');
    const page = new Float32Array(5_000 * dims);
    for (let from = 0; from < n; from += 5_000) {
      for (let i = 0; i < page.length; i++) page[i] = Math.sin(i * 0.37 + from);
      addPage(
        index,
        BigUint64Array.from({ length: 5_000 }, (_, i) => BigInt(from + i + 1)),
        page,
      );
    }
    expect(index.size()).toBe(n);
    const built = rssMb();
    releaseAnnIndex(index);
    const released = rssMb();
    // 50k × 512 f16 vectors are 51 MB, the graph ~6 MB more: most of it must leave the process now.
    expect(built - released).toBeGreaterThan(40);
    expect(index.size()).toBe(0);
  });
});
