import { axisFormatter } from './axis';

/** A score histogram: bars per bucket, the part with a fail verdict in red; each bar's tooltip gives its numbers. */
export function Histogram({
  title,
  buckets,
  min,
  max,
  note,
}: {
  title: string;
  buckets: { from: number; to: number; count: number; fail: number }[];
  min: number;
  max: number;
  note?: string;
}) {
  const top = Math.max(1, ...buckets.map((b) => b.count));
  const w = 300;
  const h = 90;
  const bw = w / Math.max(1, buckets.length);
  const fmt = axisFormatter(min, max);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const failed = buckets.reduce((n, b) => n + b.fail, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 flex items-baseline justify-between text-sm">
        <span className="font-medium">{title}</span>
        <span className="text-xs text-slate-500">
          {total.toLocaleString('en-US')} scored · {failed.toLocaleString('en-US')} fail
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${w} ${h + 14}`}
        className="h-auto w-full"
        role="img"
        aria-label={`${title}: ${total} scores from ${fmt(min)} to ${fmt(max)}, ${failed} with a fail verdict`}
      >
        {buckets.map((b, i) => {
          const bh = (h * b.count) / top;
          const fh = (h * b.fail) / top;
          return (
            <g key={i}>
              <title>{`${fmt(b.from)}–${fmt(b.to)}: ${b.count.toLocaleString('en-US')} (${b.fail.toLocaleString('en-US')} fail)`}</title>
              <rect x={i * bw + 0.5} y={h - bh} width={bw - 1} height={bh} className="fill-blue-500" />
              {fh > 0 && (
                <rect x={i * bw + 0.5} y={h - fh} width={bw - 1} height={fh} className="fill-red-500" />
              )}
            </g>
          );
        })}
        <line x1={0} y1={h} x2={w} y2={h} className="stroke-slate-300" />
        <text x={0} y={h + 11} className="fill-slate-500 text-[9px]">
          {fmt(min)}
        </text>
        <text x={w / 2} y={h + 11} textAnchor="middle" className="fill-slate-500 text-[9px]">
          {fmt((min + max) / 2)}
        </text>
        <text x={w} y={h + 11} textAnchor="end" className="fill-slate-500 text-[9px]">
          {fmt(max)}
        </text>
      </svg>
      <p className="text-center text-xs text-slate-500">score (red: verdict fail)</p>
      {note && <p className="mt-1 text-xs text-slate-500">{note}</p>}
    </figure>
  );
}
