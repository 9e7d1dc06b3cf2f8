/** Horizontal bars: a chart a person reads at a glance, still a list for screen readers. */
export function BarList({ items, label }: { items: { label: string; value: number }[]; label: string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  if (items.length === 0) return <p className="text-sm text-slate-500">Nothing yet.</p>;
  return (
    <ul aria-label={label} className="space-y-1.5">
      {items.map((i) => (
        <li key={i.label} className="grid grid-cols-[12rem_1fr_5rem] items-center gap-2 text-sm">
          <span className="truncate" title={i.label}>
            {i.label}
          </span>
          <span className="h-3 rounded bg-slate-100" aria-hidden="true">
            <span className="block h-3 rounded bg-blue-600" style={{ width: `${(100 * i.value) / max}%` }} />
          </span>
          <span className="text-right tabular-nums">{i.value.toLocaleString('en-US')}</span>
        </li>
      ))}
    </ul>
  );
}
