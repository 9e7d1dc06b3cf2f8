'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { useCreateSpotCheckMutation } from '@/components/hooks/useCreateSpotCheckMutation';
import { useSpotChecksQuery } from '@/components/hooks/useSpotChecksQuery';
import { SPOT_LABELS } from '@/lib/reviewVocabulary';
import { estimateLabel } from '@/lib/stats/spotEstimates';
import { formatShare } from './format';

const TREND_LABELS = [
  ...SPOT_LABELS.filter((l) => l.key !== 'fine').map((l) => l.key),
  'any_problem',
] as const;

/** New spot-check form, and every spot-check's problem rates side by side: how they move between samples. */
export function SpotCheckList() {
  const router = useRouter();
  const list = useSpotChecksQuery();
  const create = useCreateSpotCheckMutation();

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const sc = await create
      .mutateAsync({
        name: String(f.get('name')),
        size: Number(f.get('size')),
        seed: String(f.get('seed') ?? '') || undefined,
        population: f.get('population') === 'all' ? 'all' : 'included',
      })
      .catch(() => null);
    if (sc) router.push(`/spot-checks/${sc.id}`);
  }

  const rows = [...(list.data ?? [])].reverse();
  return (
    <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
      <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <caption className="p-2 text-left font-medium">
            Estimated share of each problem (95% Wilson interval), newest first
          </caption>
          <thead className="bg-slate-50 text-left">
            <tr>
              <th className="p-2">Spot-check</th>
              <th className="p-2">Population</th>
              <th className="p-2 text-right">Labelled</th>
              {TREND_LABELS.map((l) => (
                <th key={l} className="p-2 text-right">
                  {estimateLabel(l)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ spotCheck: s, estimates }) => (
              <tr key={s.id} className="border-t border-slate-100">
                <td className="p-2">
                  <Link href={`/spot-checks/${s.id}`} className="text-blue-700 hover:underline">
                    <bdi>{s.name}</bdi>
                  </Link>
                  <span className="block text-xs text-slate-500">
                    {s.createdAt.slice(0, 10)} · seed {s.seed}
                  </span>
                </td>
                <td className="p-2">
                  {s.population === 'included' ? 'Included' : 'All ingested'} (
                  {s.populationSize.toLocaleString('en-US')})
                </td>
                <td className="p-2 text-right tabular-nums">
                  {s.labelled}/{s.size}
                </td>
                {TREND_LABELS.map((l) => {
                  const e = estimates?.find((x) => x.label === l);
                  return (
                    <td key={l} className="p-2 text-right tabular-nums">
                      {e && e.n ? formatShare(e) : '—'}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {list.isLoading && <p className="p-3 text-sm text-slate-500">Loading…</p>}
        {list.data?.length === 0 && <p className="p-3 text-sm text-slate-500">No spot-checks yet.</p>}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-medium">New spot-check</h2>
        <form onSubmit={onSubmit} className="space-y-3 text-sm">
          <label className="block">
            Name
            <input
              name="name"
              required
              defaultValue={`Spot-check ${new Date().toISOString().slice(0, 10)}`}
              className="mt-1 w-full rounded border px-2 py-1"
            />
          </label>
          <label className="block">
            Sample size
            <input
              name="size"
              type="number"
              min={1}
              max={10000}
              required
              defaultValue={100}
              className="mt-1 w-full rounded border px-2 py-1"
            />
          </label>
          <label className="block">
            Seed (empty: random)
            <input name="seed" className="mt-1 w-full rounded border px-2 py-1" />
          </label>
          <fieldset>
            <legend>Population</legend>
            <label className="block">
              <input type="radio" name="population" value="included" defaultChecked /> Photos currently
              included
            </label>
            <label className="block">
              <input type="radio" name="population" value="all" /> Everything ingested
            </label>
          </fieldset>
          <button
            type="submit"
            disabled={create.isPending}
            className="rounded bg-blue-700 px-3 py-1.5 text-white disabled:opacity-60"
          >
            Create spot-check
          </button>
          {create.isPending && <p role="status">Drawing the sample…</p>}
          {create.error && (
            <p role="alert" className="text-red-700">
              {create.error.message}
            </p>
          )}
        </form>
      </section>
    </div>
  );
}
