import { describe, expect, it } from 'vitest';
import type { StageFinishing } from '../../../lib/domain/stageFinishing.ts';
import { describeFinishing } from '../../../pipeline/runs/describe.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, s)).toISOString();

describe('the near-duplicate part of a finishing step, as the CLI and the Runs page say it', () => {
  it('counts cells compared at the rate of this part alone, a resumed pass from the cell it resumed at', () => {
    const f: StageFinishing = {
      phase: 'near-duplicates',
      unit: 'cells',
      searched: 3_000,
      total: 5_000,
      from: 2_000,
      pairs: 120,
      startedAt: at(0),
      notedAt: at(50),
    };
    // 1,000 cells in 50 s since the resume (not 3,000): 20/s, 2,000 left → 1m40s.
    expect(describeFinishing(f)).toBe(
      'near-duplicates: 3,000/5,000 cells compared · 60.0% · 20/s · ETA 1m40s · 120 new pairs',
    );
  });

  it('says what follows once a part is counted out instead of a finished-looking "ETA 0s"', () => {
    const base = { phase: 'near-duplicates', pairs: 7, startedAt: at(0), notedAt: at(9) } as const;
    expect(describeFinishing({ ...base, unit: 'read', searched: 40, total: 40 })).toBe(
      'near-duplicates: all 40 embeddings read for the cells; fitting the cells',
    );
    expect(describeFinishing({ ...base, unit: 'cells', searched: 12, total: 12 })).toBe(
      'near-duplicates: all 12 cells compared, 7 new pairs; comparing photos embedded since, completing groups and updating duplicate clusters',
    );
    // An index search (a later pass) words it as before; notes written before the parts existed carry no unit.
    expect(describeFinishing({ ...base, searched: 3, total: 9 })).toMatch(
      /^near-duplicates: 3\/9 new photos searched · 33\.3% · /,
    );
  });
});
