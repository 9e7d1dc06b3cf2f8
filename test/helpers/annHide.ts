// An ANN index whose searches never return some photos, as a graph with nodes no search reaches (HNSW leaves ~1-2 %
// on the ann bench): the photos' own searches miss them too, and two hidden near-copies find each other from neither
// side. Deterministic, unlike the real thing.
import type { BatchMatches, Matches, UsearchIndex } from '../../pipeline/clip/usearch.ts';

export function hideFromSearches(index: UsearchIndex, hidden: Set<bigint>): UsearchIndex {
  return new Proxy(index, {
    get(target, prop) {
      if (prop !== 'search') {
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (rows: Float32Array, k: number, threads: number) => {
        const r = target.search(rows, k, threads) as Matches | BatchMatches;
        if (!('counts' in r)) {
          const keep = [...r.keys].map((key, i) => (hidden.has(key) ? -1 : i)).filter((i) => i >= 0);
          return {
            keys: BigUint64Array.from(keep, (i) => r.keys[i]),
            distances: Float32Array.from(keep, (i) => r.distances[i]),
          };
        }
        // Each row's answer without the hidden photos, shifted left, as a search that never reached them.
        const keysOut = new BigUint64Array(r.keys.length);
        const distances = new Float32Array(r.distances.length);
        const counts = new BigUint64Array(r.counts.length);
        for (let row = 0; row < r.counts.length; row++) {
          let n = 0;
          for (let j = 0; j < Number(r.counts[row]); j++) {
            if (hidden.has(r.keys[row * k + j])) continue;
            keysOut[row * k + n] = r.keys[row * k + j];
            distances[row * k + n++] = r.distances[row * k + j];
          }
          counts[row] = BigInt(n);
        }
        return { keys: keysOut, distances, counts };
      };
    },
  });
}
