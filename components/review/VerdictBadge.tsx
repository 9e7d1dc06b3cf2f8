const STYLES: Record<string, string> = {
  fail: 'bg-red-100 text-red-800',
  uncertain: 'bg-amber-100 text-amber-900',
  pass: 'bg-green-100 text-green-800',
  error: 'bg-slate-200 text-slate-700',
};

export function VerdictBadge({ verdict }: { verdict: string }) {
  return (
    <span
      data-badge
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${STYLES[verdict] ?? 'bg-slate-100'}`}
    >
      {verdict}
    </span>
  );
}
