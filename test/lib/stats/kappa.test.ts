import { describe, expect, it } from 'vitest';
import { agreementTable, cohenKappa } from '../../../lib/stats/kappa.ts';

describe("Cohen's kappa", () => {
  it('matches SAS PROC FREQ on its skin-condition agreement study (4 categories, n = 88)', () => {
    // SAS/STAT User's Guide, The FREQ Procedure, Getting Started: "Agreement Study", Table 3.2 (two dermatologists);
    // published output: Simple Kappa 0.3449, ASE 0.0724, 95% confidence limits 0.2030 to 0.4868.
    const r = cohenKappa([
      [10, 4, 1, 0],
      [5, 10, 12, 2],
      [2, 4, 12, 5],
      [0, 2, 6, 13],
    ]);
    expect(r.n).toBe(88);
    expect(r.kappa!).toBeCloseTo(0.3449, 4);
    expect(r.se!).toBeCloseTo(0.0724, 4);
    expect(r.low!).toBeCloseTo(0.203, 4);
    expect(r.high!).toBeCloseTo(0.4868, 4);
  });

  it('matches Fleiss, Levin & Paik (Statistical Methods for Rates and Proportions, 3rd ed., §18.1): two psychiatrists, 3 diagnoses', () => {
    // Published: p_o = 0.89, p_e = 0.66, kappa = 0.676, standard error 0.088.
    const r = cohenKappa([
      [75, 1, 4],
      [5, 4, 1],
      [0, 0, 10],
    ]);
    expect(r.percent).toBeCloseTo(0.89, 10);
    expect(r.chance).toBeCloseTo(0.66, 10);
    expect(r.kappa!).toBeCloseTo(0.676, 3);
    expect(r.se!).toBeCloseTo(0.088, 3);
  });

  it('gives 0.4 on the classic 2×2 example (20 yes/yes, 5, 10, 15 no/no; Wikipedia "Cohen\'s kappa")', () => {
    const r = cohenKappa(
      agreementTable(
        ['yes', 'no'],
        [
          ...Array.from({ length: 20 }, () => ['yes', 'yes'] as const),
          ...Array.from({ length: 5 }, () => ['yes', 'no'] as const),
          ...Array.from({ length: 10 }, () => ['no', 'yes'] as const),
          ...Array.from({ length: 15 }, () => ['no', 'no'] as const),
        ],
      ),
    );
    expect(r.percent).toBeCloseTo(0.7, 10);
    expect(r.kappa!).toBeCloseTo(0.4, 10);
    expect(r.low!).toBeLessThan(0.4);
    expect(r.high!).toBeGreaterThan(0.4);
  });

  it('is 1 for perfect agreement and undefined when chance agreement is total', () => {
    expect(
      cohenKappa([
        [5, 0],
        [0, 7],
      ]).kappa,
    ).toBe(1);
    // One rater always approving: the asymptotic standard error is 0, which is no evidence of precision: no interval.
    expect(
      cohenKappa([
        [1, 1],
        [0, 0],
      ]),
    ).toMatchObject({ kappa: 0, low: null, high: null });
    const one = cohenKappa([
      [9, 0],
      [0, 0],
    ]);
    expect(one.percent).toBe(1);
    expect(one.kappa).toBeNull();
    expect(
      cohenKappa([
        [0, 0],
        [0, 0],
      ]).kappa,
    ).toBeNull();
  });

  it('rejects a table that is not square or has bad counts, and pairs with unknown categories', () => {
    expect(() => cohenKappa([[1, 2]])).toThrow(RangeError);
    expect(() =>
      cohenKappa([
        [1, -1],
        [0, 1],
      ]),
    ).toThrow(RangeError);
    expect(() => agreementTable(['a', 'b'], [['a', 'c' as 'a']])).toThrow(/unknown category/);
  });
});
