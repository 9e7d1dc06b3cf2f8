// A calendar day "YYYY-MM-DD" that exists: Date.parse rolls 2024-02-30 over to March 1st, so the parts are checked.
import { z } from 'zod';

/** True when `s` is YYYY-MM-DD and names a real day of the Gregorian calendar (leap years included). */
export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isCalendarDay, 'not a calendar date');
