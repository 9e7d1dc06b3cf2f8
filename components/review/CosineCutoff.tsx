/** The cosine cutoff slider of the similar-photo lists (the photo drawer's and the account page's): 0 to 1 by 0.01. */
export function CosineCutoff({
  id,
  value,
  onChange,
}: {
  id: string;
  value: number;
  onChange: (cutoff: number) => void;
}) {
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-xs text-slate-600">
      Cosine cutoff
      <input
        id={id}
        type="range"
        min={0}
        max={1}
        step={0.01}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        className="w-32"
      />
      <output className="w-10 tabular-nums">{value.toFixed(2)}</output>
    </label>
  );
}
