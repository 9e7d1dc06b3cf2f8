// Shapes shared by the photo checks: one outcome per photo, stored as a check_results row.

export type Verdict = 'pass' | 'fail' | 'uncertain' | 'error';

/** What a check concludes about one photo; `details` is the evidence a reviewer sees. */
export type CheckOutcome = { verdict: Verdict; score: number | null; details: Record<string, unknown> };
