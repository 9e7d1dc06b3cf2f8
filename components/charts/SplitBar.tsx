/** One bar split in two (included vs excluded), with a legend that also serves screen readers. */
export function SplitBar({
  label,
  parts,
}: {
  label: string;
  parts: { label: string; value: number; className: string }[];
}) {
  const total = parts.reduce((n, p) => n + p.value, 0);
  return (
    <div>
      <div
        className="flex h-4 overflow-hidden rounded bg-slate-100"
        role="img"
        aria-label={`${label}: ${parts.map((p) => `${p.label} ${p.value}`).join(', ')}`}
      >
        {total > 0 &&
          parts.map((p) => (
            <div
              key={p.label}
              className={p.className}
              style={{ width: `${(100 * p.value) / total}%` }}
              title={`${p.label}: ${p.value.toLocaleString('en-US')}`}
            />
          ))}
      </div>
      <ul className="mt-2 flex flex-wrap gap-4 text-sm">
        {parts.map((p) => (
          <li key={p.label} className="flex items-center gap-1.5">
            <span className={`inline-block h-3 w-3 rounded-sm ${p.className}`} aria-hidden="true" />
            {p.label}: <span className="tabular-nums">{p.value.toLocaleString('en-US')}</span>
            {total > 0 && <span className="text-slate-500">({((100 * p.value) / total).toFixed(1)}%)</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
