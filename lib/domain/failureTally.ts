// Per-item failures are data: a batch or a stage counts its items ok or failed, and its failures by kind (stored in
// run_stages.failures_by_kind; lib/reasons.ts words the kinds for people). One shape for fetch, checks and runs.

export type FailureTally = { ok: number; failed: number; failuresByKind: Record<string, number> };

export const emptyTally = (): FailureTally => ({ ok: 0, failed: 0, failuresByKind: {} });

/** Counts `n` failed items of `kind`. */
export function countFailure(t: FailureTally, kind: string, n = 1): void {
  t.failed += n;
  t.failuresByKind[kind] = (t.failuresByKind[kind] ?? 0) + n;
}

/** Adds a batch's tally into a running one (a batch with no failures may leave its kinds out). */
export function addTally(
  into: FailureTally,
  from: Omit<FailureTally, 'failuresByKind'> & { failuresByKind?: Record<string, number> },
): void {
  into.ok += from.ok;
  into.failed += from.failed;
  for (const [kind, n] of Object.entries(from.failuresByKind ?? {}))
    into.failuresByKind[kind] = (into.failuresByKind[kind] ?? 0) + n;
}
