// Many reviewers racing for the same accounts with double-clicked decisions: one decision per account, none lost.
// The two-reviewer and double-click cases are in test/lib/queries/review.test.ts ("decisions"); this is the crowd.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/db.ts';
import { makeRaceData, raceDecisions } from './decisionRace.ts';

useTestDatabase();

describe('reviewers racing', () => {
  it('records exactly one decision per account, tells every other reviewer, and loses none', async () => {
    const { users, nsids } = await makeRaceData('race', 6, 12);
    const r = await raceDecisions(users, nsids);
    expect(r.errors).toEqual([]);
    expect(r.submitted).toBe(6 * 12);
    expect(r.confirmed).toBe(12);
    expect(r.refused).toBe(6 * 12 - 12);
    expect(r.recorded).toBe(12);
    expect(r.doubled).toBe(0);
    expect(r.lost).toBe(0);
  });
});
