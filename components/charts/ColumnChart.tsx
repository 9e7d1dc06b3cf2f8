/** Counts over time as columns; the first and last periods label the axis, each column's tooltip its value. */
export function ColumnChart({
  title,
  points,
  note,
}: {
  title: string;
  points: { period: string; count: number }[];
  note?: string;
}) {
  const w = 600;
  const h = 110;
  const top = Math.max(1, ...points.map((p) => p.count));
  // A handful of periods get slim columns rather than bars the width of the chart.
  const bw = Math.min(w / 12, w / Math.max(1, points.length));
  const total = points.reduce((n, p) => n + p.count, 0);
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-3">
      <figcaption className="mb-1 flex items-baseline justify-between text-sm">
        <span className="font-medium">{title}</span>
        <span className="text-xs text-slate-500">
          {total.toLocaleString('en-US')} photos · peak {top.toLocaleString('en-US')}
        </span>
      </figcaption>
      {points.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing yet.</p>
      ) : (
        <svg
          viewBox={`0 0 ${w} ${h + 14}`}
          className="h-auto w-full"
          role="img"
          aria-label={`${title}: ${total} photos from ${points[0].period} to ${points[points.length - 1].period}`}
        >
          {points.map((p, i) => {
            const bh = Math.max(p.count > 0 ? 1 : 0, (h * p.count) / top);
            return (
              <rect
                key={p.period}
                x={i * bw + (bw > 3 ? 0.5 : 0)}
                y={h - bh}
                width={Math.max(0.5, bw - (bw > 3 ? 1 : 0))}
                height={bh}
                className="fill-emerald-600"
              >
                <title>{`${p.period}: ${p.count.toLocaleString('en-US')}`}</title>
              </rect>
            );
          })}
          <line x1={0} y1={h} x2={w} y2={h} className="stroke-slate-300" />
          <text x={0} y={h + 11} className="fill-slate-500 text-[9px]">
            {points[0].period}
          </text>
          <text x={w} y={h + 11} textAnchor="end" className="fill-slate-500 text-[9px]">
            {points[points.length - 1].period}
          </text>
        </svg>
      )}
      {note && <p className="mt-1 text-xs text-slate-500">{note}</p>}
    </figure>
  );
}
