'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useStartRunMutation } from '@/components/hooks/useRunMutations';
import { LICENSES } from '@/lib/checks';
import { EXPORT_FORMATS, STAGE_LABELS, STAGE_ORDER, type Thresholds } from '@/pipeline/runs/config';

const THRESHOLD_LABELS: Record<keyof Thresholds, { label: string; step: string; min: number; max: number }> =
  {
    minResolution: { label: 'Minimum resolution (px, shorter side)', step: '1', min: 1, max: 100_000 },
    nearDuplicateDistance: { label: 'Near-duplicate distance (pHash bits)', step: '1', min: 0, max: 32 },
    clipNonphotoFail: { label: 'CLIP non-photo: fail at', step: '0.01', min: 0, max: 1 },
    clipNonphotoUncertain: { label: 'CLIP non-photo: uncertain at', step: '0.01', min: 0, max: 1 },
    clipNonwholesomeFail: { label: 'CLIP non-wholesome: fail at', step: '0.01', min: 0, max: 1 },
    clipNonwholesomeUncertain: { label: 'CLIP non-wholesome: uncertain at', step: '0.01', min: 0, max: 1 },
    watermarkFail: { label: 'Watermark: fail at', step: '0.01', min: 0, max: 1 },
    watermarkUncertain: { label: 'Watermark: uncertain at', step: '0.01', min: 0, max: 1 },
    watermarkMinPhotos: { label: 'Watermark: photos an account needs', step: '1', min: 3, max: 10_000 },
    watermarkSample: { label: 'Watermark: photos sampled per orientation', step: '1', min: 4, max: 1024 },
  };

const field = 'mt-1 block w-full rounded border border-slate-300 px-2 py-1 text-sm';

/** Start a run: stages, upload-date range, licenses, limits and thresholds; the server validates it all again. */
/** `defaultThresholds`: the server's settings (MIN_RESOLUTION, CLIP_*, WATERMARK_*), which the run uses unless changed here. */
export function StartRunForm({
  defaultLicenses,
  defaultThresholds,
}: {
  defaultLicenses: number[];
  defaultThresholds: Thresholds;
}) {
  const start = useStartRunMutation();
  const [stages, setStages] = useState<string[]>([...STAGE_ORDER]);
  const [licenses, setLicenses] = useState<number[]>(defaultLicenses);
  const [formats, setFormats] = useState<string[]>(['parquet']);
  const [thresholds, setThresholds] = useState<Record<string, string>>(
    Object.fromEntries(Object.entries(defaultThresholds).map(([k, v]) => [k, String(v)])),
  );
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [limit, setLimit] = useState('');
  const [batchSize, setBatchSize] = useState('');
  // Until React has hydrated the form, a value typed into the server-rendered inputs is reset to the state's: the
  // fields stay disabled until then (CI's e2e lost an "Uploaded from" typed that early, 2026-12-06).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const toggle = <T,>(list: T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate({
      stages,
      licenses,
      from: from || undefined,
      to: to || undefined,
      limit: limit ? Number(limit) : undefined,
      batchSize: batchSize ? Number(batchSize) : undefined,
      // Only what the admin changed: the rest the server resolves from its settings when the run is created.
      thresholds: Object.fromEntries(
        Object.entries(thresholds)
          .map(([k, v]) => [k, Number(v)])
          .filter(([k, v]) => v !== defaultThresholds[k as keyof Thresholds]),
      ),
      exportFormats: stages.includes('export') ? formats : undefined,
    });
  };

  return (
    <form
      onSubmit={submit}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
      aria-labelledby="start-run-h"
    >
      <h2 id="start-run-h" className="font-medium">
        Start a run
      </h2>
      <fieldset disabled={!hydrated} className="space-y-4">
        <fieldset>
          <legend className="text-sm font-medium">Stages</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {STAGE_ORDER.map((s) => (
              <label key={s} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={stages.includes(s)}
                  onChange={() => setStages(toggle(stages, s))}
                />{' '}
                {STAGE_LABELS[s]}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="grid gap-3 sm:grid-cols-4">
          <label className="text-sm">
            Uploaded from
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} className={field} />
          </label>
          <label className="text-sm">
            Uploaded to
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} className={field} />
          </label>
          <label className="text-sm">
            Limit per stage
            <input
              type="number"
              min={1}
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
              placeholder="no limit"
              className={field}
            />
          </label>
          <label className="text-sm">
            Batch size
            <input
              type="number"
              min={1}
              max={10000}
              value={batchSize}
              onChange={(e) => setBatchSize(e.target.value)}
              placeholder="stage default"
              className={field}
            />
          </label>
        </div>
        <fieldset>
          <legend className="text-sm font-medium">Licenses</legend>
          <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
            {Object.entries(LICENSES).map(([id, name]) => (
              <label key={id} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={licenses.includes(Number(id))}
                  onChange={() => setLicenses(toggle(licenses, Number(id)))}
                />{' '}
                {name}
              </label>
            ))}
          </div>
        </fieldset>
        {stages.includes('export') && (
          <fieldset>
            <legend className="text-sm font-medium">Export formats</legend>
            <div className="mt-1 flex gap-4">
              {EXPORT_FORMATS.map((f) => (
                <label key={f} className="flex items-center gap-1.5 text-sm">
                  <input
                    type="checkbox"
                    checked={formats.includes(f)}
                    onChange={() => setFormats(toggle(formats, f))}
                  />{' '}
                  {f}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <details>
          <summary className="cursor-pointer text-sm font-medium">Thresholds</summary>
          <div className="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            {(Object.keys(THRESHOLD_LABELS) as (keyof Thresholds)[]).map((k) => (
              <label key={k} className="text-sm">
                {THRESHOLD_LABELS[k].label}
                <input
                  type="number"
                  required
                  step={THRESHOLD_LABELS[k].step}
                  min={THRESHOLD_LABELS[k].min}
                  max={THRESHOLD_LABELS[k].max}
                  value={thresholds[k]}
                  onChange={(e) => setThresholds({ ...thresholds, [k]: e.target.value })}
                  className={field}
                />
              </label>
            ))}
          </div>
        </details>
        {start.error && (
          <p role="alert" className="rounded bg-red-50 px-2 py-1 text-sm text-red-900">
            {start.error.message}
          </p>
        )}
        <button
          type="submit"
          disabled={start.isPending || stages.length === 0}
          className="rounded bg-slate-900 px-4 py-2 text-sm text-white disabled:opacity-50"
        >
          {start.isPending ? 'Starting…' : 'Start run'}
        </button>
      </fieldset>
    </form>
  );
}
