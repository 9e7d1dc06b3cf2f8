// What a check saw, in the words a reviewer needs: matched phrase, CLIP's classes, duplicate pair, watermark box…
import { borderWords, watermarkWords } from './evidenceWords';

type Details = Record<string, unknown>;

const pct = (p: unknown) =>
  typeof p === 'number' ? `${(p * 100).toFixed(p >= 0.995 || p < 0.01 ? 1 : 0)}%` : '';

function str(v: unknown): string | null {
  if (typeof v === 'string' && v) return v;
  if (Array.isArray(v) && v.length)
    return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  return null;
}

/** The phrase a copyright check matched, under whichever name the check stored it. */
export function matchedPhrase(d: Details): string | null {
  for (const k of ['phrase', 'match', 'matched', 'matches', 'text', 'value', 'copyright']) {
    const s = str(d[k]);
    if (s) return s;
  }
  return null;
}

export function ClipClasses({ details }: { details: Details }) {
  const top = Array.isArray(details.top)
    ? (details.top as { class?: string; p?: number; flagged?: boolean }[])
    : [];
  if (!top.length) return null;
  return (
    <ul className="space-y-0.5 text-xs" aria-label="CLIP’s top classes">
      {top.slice(0, 5).map((t, i) => (
        <li key={i} className="flex justify-between gap-2">
          <span className={`truncate ${t.flagged ? 'font-medium text-red-700' : 'text-slate-700'}`}>
            {t.class}
            {t.flagged ? ' ⚑' : ''}
          </span>
          <span className="tabular-nums text-slate-600">{pct(t.p)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Evidence text for one check result; the pair and box views live with the thumbnails (CheckPhotoCard, PhotoDrawer). */
export function EvidenceText({ check, details }: { check: string; details: Details }) {
  if (check.startsWith('clip_')) return <ClipClasses details={details} />;
  if (typeof details.error === 'string')
    return <p className="text-xs text-amber-800">Error: {details.error}</p>;
  if (check === 'copyright_text' || check === 'exif_copyright') {
    const phrase = matchedPhrase(details);
    const field = str(details.field) ?? str(details.source) ?? str(details.tag);
    return (
      <p className="text-xs">
        {field && <span className="text-slate-500">{field}: </span>}
        {phrase ? (
          <mark className="rounded bg-yellow-100 px-0.5">“{phrase}”</mark>
        ) : (
          <span className="text-slate-500">no phrase recorded</span>
        )}
      </p>
    );
  }
  if (check === 'resolution') {
    const w = details.width ?? details.originalWidth;
    const h = details.height ?? details.originalHeight;
    const min = details.min ?? details.minResolution;
    return (
      <p className="text-xs">
        {String(w ?? '?')}×{String(h ?? '?')}
        {min !== undefined ? ` (minimum ${String(min)})` : ''}
      </p>
    );
  }
  if (check === 'duplicate') {
    // A CLIP pair is evidence by its cosine; the pHash distance to the canonical says nothing about it.
    if (details.kind === 'clip' && typeof details.similarity === 'number')
      return <p className="text-xs">CLIP cosine {details.similarity.toFixed(3)}</p>;
    const d = details.distance ?? details.hamming;
    const kind = details.kind === 'exact' ? 'identical bytes · ' : '';
    return (
      <p className="text-xs">
        {d !== undefined ? `${kind}pHash distance ${String(d)}` : (str(details.kind) ?? 'duplicate')}
      </p>
    );
  }
  if (check === 'watermark') return <p className="text-xs">{watermarkWords(details)}</p>;
  if (check === 'border') return <p className="text-xs">{borderWords(details)}</p>;
  const entries = Object.entries(details)
    .filter(([k]) => !['model', 'thresholds', 'promptSet', 'logitScale', 'features', 'groups'].includes(k))
    .slice(0, 4);
  if (!entries.length) return null;
  return (
    <dl className="text-xs text-slate-700">
      {entries.map(([k, v]) => (
        <div key={k} className="truncate">
          <dt className="inline text-slate-500">{k}: </dt>
          <dd className="inline">{plain(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A value in words for the generic evidence list: numbers rounded, lists joined, objects as "key value" pairs. */
function plain(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (Array.isArray(v)) return v.map(plain).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Details)
      .map(([k, x]) => `${k} ${plain(x)}`)
      .join(', ');
  return String(v);
}
