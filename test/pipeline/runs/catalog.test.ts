// The web app's stage catalog agrees with the stages the workers run: same names, order, labels and finishing steps.
import { describe, expect, it } from 'vitest';
import { STAGE_ORDER } from '../../../pipeline/runs/config.ts';
import { STAGE_CATALOG } from '../../../pipeline/runs/stages/catalog.ts';
import { defaultRegistry } from '../../../pipeline/runs/stages/index.ts';

describe('stage catalog', () => {
  it('describes every stage adapter as it is', () => {
    const adapters = [...defaultRegistry().values()];
    expect(STAGE_CATALOG.map((s) => s.name)).toEqual([...STAGE_ORDER]);
    expect(adapters.map((a) => a.name)).toEqual([...STAGE_ORDER]);
    for (const [i, a] of adapters.entries()) {
      expect(STAGE_CATALOG[i].label).toBe(a.label);
      expect(Boolean(STAGE_CATALOG[i].after)).toBe(typeof a.after === 'function');
      expect(STAGE_CATALOG[i].preflight).toBe(a.preflight);
      expect(STAGE_CATALOG[i].afterExpireSeconds).toBe(a.afterExpireSeconds);
    }
  });
});
