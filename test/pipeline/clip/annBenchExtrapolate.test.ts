// The ann bench's 10M extrapolation: a least-squares fit over every measured size, not a line through the last two.
import { describe, expect, it } from 'vitest';
import { extrapolate, type SizeFigures } from '../../bench/ann.ts';

/** Figures whose CPU seconds per vector are exactly a + b·ln n (plus `noise` per size), memory linear in n. */
function figures(size: number, noise = 0): SizeFigures {
  const per = (a: number, b: number) => (a + b * Math.log(size)) * (1 + noise);
  return {
    size,
    build: 0,
    allNeighbours: 0,
    total: 0,
    buildCpu: per(100e-6, 20e-6) * size,
    searchCpu: per(50e-6, 40e-6) * size,
    peakKb: (0.2 * 2 ** 30 + 600 * size) / 1024,
    diskBytes: 450 * size,
    recall: 0.99,
  };
}

const minutes = (line: string, label: string) => Number(new RegExp(`${label} (\\d+) min`).exec(line)?.[1]);

describe('ann bench extrapolation', () => {
  it('recovers a + b·ln n per vector and a linear memory from three sizes', () => {
    const n = 10_000_000;
    const lines = extrapolate([figures(250_000), figures(500_000), figures(1_000_000)], n);
    const build = (100e-6 + 20e-6 * Math.log(n)) * n;
    const search = (50e-6 + 40e-6 * Math.log(n)) * n;
    expect(lines[0]).toContain('from 3 runs at 250,000, 500,000, 1,000,000');
    expect(minutes(lines[1], 'build')).toBe(Math.round(build / 60));
    expect(minutes(lines[1], 'all-neighbours')).toBe(Math.round(search / 60));
    // 600 bytes per vector + 0.2 GB.
    expect(lines[3]).toContain(`peak RSS ~${((0.2 * 2 ** 30 + 600 * n) / 2 ** 30).toFixed(1)} GB`);
    expect(lines[3]).toContain('0.59 KB per vector');
  });

  it('uses every size: a noisy middle size moves the fit, which a line through the last two would ignore', () => {
    const n = 10_000_000;
    const clean = extrapolate([figures(250_000), figures(500_000), figures(1_000_000)], n);
    const noisy = extrapolate([figures(250_000), figures(500_000, 0.3), figures(1_000_000)], n);
    expect(minutes(noisy[1], 'build')).not.toBe(minutes(clean[1], 'build'));
    expect(noisy[1]).toMatch(/within (\d+) %/);
  });
});
