'use client';
import type { FormEvent } from 'react';
import type { CheckPhotoFilter } from '@/lib/queries/overrides';
import { LICENSES } from '@/lib/checks';

export type Filters = Omit<CheckPhotoFilter, 'page'>;

function num(v: FormDataEntryValue | null): number | undefined {
  const s = String(v ?? '').trim();
  return s === '' || Number.isNaN(Number(s)) ? undefined : Number(s);
}

/** Score range, account, license, verdict and review status; applied together with one button. */
export function CheckFilters({ value, onChange }: { value: Filters; onChange: (f: Filters) => void }) {
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    onChange({
      verdict: (String(f.get('verdict')) || undefined) as Filters['verdict'],
      status: (String(f.get('status')) || undefined) as Filters['status'],
      minScore: num(f.get('minScore')),
      maxScore: num(f.get('maxScore')),
      account: String(f.get('account') ?? '').trim() || undefined,
      license: num(f.get('license')),
      pageSize: Number(f.get('pageSize')) || 200,
    });
  }
  const input = 'mt-0.5 block rounded border px-2 py-1';
  return (
    <form
      onSubmit={submit}
      aria-label="Filters"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm"
    >
      <label>
        Verdict
        <select name="verdict" defaultValue={value.verdict ?? ''} className={input}>
          <option value="">Failed or uncertain</option>
          <option value="fail">Failed</option>
          <option value="uncertain">Uncertain</option>
        </select>
      </label>
      <label>
        Review
        <select name="status" defaultValue={value.status ?? ''} className={input}>
          <option value="">All</option>
          <option value="open">Not yet reviewed</option>
          <option value="overridden">Reviewed</option>
        </select>
      </label>
      <label>
        Min score
        <input
          name="minScore"
          type="number"
          step="0.01"
          min="0"
          max="1"
          defaultValue={value.minScore ?? ''}
          className={`${input} w-24`}
        />
      </label>
      <label>
        Max score
        <input
          name="maxScore"
          type="number"
          step="0.01"
          min="0"
          max="1"
          defaultValue={value.maxScore ?? ''}
          className={`${input} w-24`}
        />
      </label>
      <label>
        Account
        <input
          name="account"
          defaultValue={value.account ?? ''}
          placeholder="NSID"
          className={`${input} w-40`}
        />
      </label>
      <label>
        License
        <select name="license" defaultValue={value.license ?? ''} className={input}>
          <option value="">Any</option>
          {Object.entries(LICENSES).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label>
        Per page
        <select name="pageSize" defaultValue={value.pageSize} className={input}>
          {[100, 200, 500, 1000].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-900">
        Apply filters
      </button>
    </form>
  );
}
