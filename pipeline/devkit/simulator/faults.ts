// Fault injection for the simulator: API errors, 429s, slow answers and truncated bodies, at configurable rates.
import { createRng, type Rng } from '../random.ts';

export type Faults = {
  /** Share of API calls that fail with stat fail 105 or HTTP 500/502/503. */
  errorRate?: number;
  /** Share of API calls answered HTTP 429 with Retry-After. */
  rate429?: number;
  /** Added latency (ms) on the share `slowRate` (default all) of requests, API and images. */
  delayMs?: number;
  slowRate?: number;
  /** Share of API answers whose JSON is cut short. */
  truncateRate?: number;
  /** Share of image answers whose body stops before its declared Content-Length. */
  imageTruncateRate?: number;
  /** Share of image requests answered HTTP 503. */
  imageErrorRate?: number;
  /** Seed for reproducible fault sequences. */
  seed?: string;
};

export type ApiFault =
  | { kind: 'none' }
  | { kind: 'fail105' }
  | { kind: 'http'; status: number }
  | { kind: 'truncate' };

export type FaultState = {
  get: () => Faults;
  set: (f: Faults) => void;
  delay: () => number;
  api: () => ApiFault;
  image: () => 'none' | 'error' | 'truncate';
};

export function createFaults(initial: Faults = {}): FaultState {
  let faults = initial;
  let rng: Rng = createRng(initial.seed ?? `${Date.now()}:${Math.random()}`);
  return {
    get: () => faults,
    set: (f) => {
      faults = f;
      rng = createRng(f.seed ?? `${Date.now()}:${Math.random()}`);
    },
    delay: () => (faults.delayMs && rng.chance(faults.slowRate ?? 1) ? faults.delayMs : 0),
    api: () => {
      if (faults.rate429 && rng.chance(faults.rate429)) return { kind: 'http', status: 429 };
      if (faults.errorRate && rng.chance(faults.errorRate)) {
        const r = rng.int(0, 3);
        return r === 0 ? { kind: 'fail105' } : { kind: 'http', status: [500, 502, 503][r - 1] };
      }
      if (faults.truncateRate && rng.chance(faults.truncateRate)) return { kind: 'truncate' };
      return { kind: 'none' };
    },
    image: () => {
      if (faults.imageErrorRate && rng.chance(faults.imageErrorRate)) return 'error';
      if (faults.imageTruncateRate && rng.chance(faults.imageTruncateRate)) return 'truncate';
      return 'none';
    },
  };
}
