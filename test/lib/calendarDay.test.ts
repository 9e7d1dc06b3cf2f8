// Impossible calendar dates are refused wherever a day is accepted (issue 15, item 5): Date.parse alone rolls them over.
import { describe, expect, it } from 'vitest';
import { isCalendarDay } from '../../lib/calendarDay.ts';
import { run as ingest } from '../../pipeline/cli/commands/ingest.ts';
import { runInputSchema } from '../../pipeline/runs/config.ts';

describe('calendar days', () => {
  it('accepts real days, leap days included, and refuses the ones that do not exist', () => {
    for (const d of ['2024-02-29', '2000-02-29', '2023-12-31', '2004-01-01'])
      expect(isCalendarDay(d), d).toBe(true);
    for (const d of [
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-1-1',
      '24-01-01',
    ]) {
      expect(isCalendarDay(d), d).toBe(false);
    }
  });

  it('is what the run form and the ingest command check', async () => {
    const r = runInputSchema.safeParse({ stages: ['ingest'], to: '2023-02-29' });
    expect(r.success ? null : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'to: not a calendar date',
    ]);
    await expect(ingest(['--from', '2024-02-30'])).rejects.toThrow(
      '--from expects a date YYYY-MM-DD, got "2024-02-30"',
    );
  });
});
