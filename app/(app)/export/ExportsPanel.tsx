'use client';
import { useEffect, useState } from 'react';
import { useExportsQuery } from '@/components/hooks/useExportsQuery';
import { ApiError } from '@/components/hooks/fetchJson';
import { useStartExportMutation } from '@/components/hooks/useStartExportMutation';
import type { ExportView } from '@/lib/queries/exports';
import { EXPORT_FORMATS } from '@/pipeline/runs/config';
import { reasonLabel } from '@/lib/reasons';

const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function ExportRow({ e }: { e: ExportView }) {
  const excluded = Object.entries(
    (e.manifest as { excludedByReason?: Record<string, number> } | null)?.excludedByReason ?? {},
  );
  const parquet = e.files.find((f) => f.format === 'parquet');
  return (
    <article
      className="space-y-2 rounded-lg border border-slate-200 bg-white p-4"
      aria-label={`Export ${e.id}`}
    >
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="font-medium">Export of {new Date(e.createdAt).toLocaleString()}</h3>
        <span className="text-sm" data-testid="export-status">
          {e.status}
          {e.rowCount !== null ? ` · ${e.rowCount.toLocaleString('en-US')} photos` : ''}
        </span>
      </header>
      {e.error && <p className="text-sm text-red-800">{e.error}</p>}
      {e.status === 'completed' && (
        <ul className="space-y-1 text-sm">
          {e.files.map((f) => (
            <li key={f.name} className="flex flex-wrap items-baseline gap-2">
              <a
                href={`/api/exports/${e.id}/files/${f.name}`}
                className="font-medium text-blue-700 underline"
                download
              >
                Download {f.name}
              </a>
              <span className="text-slate-600">{mb(f.bytes)}</span>
              <code className="truncate text-xs text-slate-500" title={f.sha256}>
                sha256 {f.sha256.slice(0, 16)}…
              </code>
            </li>
          ))}
          <li>
            <a href={`/api/exports/${e.id}/files/manifest.json`} className="text-blue-700 underline" download>
              Download manifest.json
            </a>
          </li>
        </ul>
      )}
      {excluded.length > 0 && (
        <p className="text-xs text-slate-600">
          Excluded: {excluded.map(([k, v]) => `${reasonLabel(k)}: ${v.toLocaleString('en-US')}`).join(' · ')}
        </p>
      )}
      {parquet && (
        <p className="text-xs text-slate-600">
          Download the images:{' '}
          <code className="rounded bg-slate-50 px-1">
            img2dataset --url_list {parquet.name} --input_format parquet --url_col url_highres --output_format
            webdataset --output_folder images
          </code>
        </p>
      )}
    </article>
  );
}

/** Start an export (a run of the export stage) and list every export with its download links. */
export function ExportsPanel() {
  const [formats, setFormats] = useState<string[]>(['parquet']);
  const start = useStartExportMutation();
  // The export row appears once a worker takes the run: poll from the click until the new export has ended.
  const [waitingAfter, setWaitingAfter] = useState<number | null>(null);
  const exports = useExportsQuery(waitingAfter !== null);
  const newest = exports.data?.data[0];
  useEffect(() => {
    if (
      waitingAfter !== null &&
      exports.data &&
      exports.data.total > waitingAfter &&
      newest &&
      (newest.status === 'completed' || newest.status === 'failed')
    )
      setWaitingAfter(null);
  }, [waitingAfter, exports.data, newest]);
  return (
    <div className="space-y-6">
      <form
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
        aria-labelledby="new-export-h"
        onSubmit={(ev) => {
          ev.preventDefault();
          setWaitingAfter(exports.data?.total ?? 0);
          start.mutate({ formats });
        }}
      >
        <h2 id="new-export-h" className="font-medium">
          New export
        </h2>
        <p className="text-sm text-slate-600">
          Writes every photo the inclusion rule selects, with a manifest of what was left out and why.
        </p>
        <fieldset className="flex gap-4">
          <legend className="sr-only">Formats</legend>
          {EXPORT_FORMATS.map((f) => (
            <label key={f} className="flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={formats.includes(f)}
                onChange={() =>
                  setFormats(formats.includes(f) ? formats.filter((x) => x !== f) : [...formats, f])
                }
              />{' '}
              {f}
            </label>
          ))}
        </fieldset>
        {start.error && (
          <p role="alert" className="text-sm text-red-800">
            {start.error.message}
          </p>
        )}
        {start.data && (
          <p className="text-sm text-slate-600">
            Export queued as run {start.data.runId.slice(0, 8)}; its progress is on the Runs page.
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          <button
            type="submit"
            disabled={start.isPending || formats.length === 0}
            className="rounded bg-slate-900 px-4 py-2 text-sm text-white disabled:opacity-50"
          >
            Export dataset
          </button>
          {/* 409: a run is active or photos are unfetched; the admin may still want what there is now. */}
          {start.error instanceof ApiError && start.error.status === 409 && (
            <button
              type="button"
              disabled={start.isPending}
              onClick={() => start.mutate({ formats, allowPartial: true })}
              className="rounded border border-red-800 px-4 py-2 text-sm text-red-800 disabled:opacity-50"
            >
              Export anyway
            </button>
          )}
        </div>
      </form>
      <section aria-labelledby="exports-h" className="space-y-3">
        <h2 id="exports-h" className="font-medium">
          Exports
        </h2>
        {exports.isPending && <p className="text-sm text-slate-500">Loading…</p>}
        {exports.error && (
          <p role="alert" className="text-sm text-red-800">
            {exports.error.message}
          </p>
        )}
        {exports.data?.data.length === 0 && <p className="text-slate-600">No exports yet.</p>}
        {exports.data?.data.map((e) => (
          <ExportRow key={e.id} e={e} />
        ))}
      </section>
    </div>
  );
}
