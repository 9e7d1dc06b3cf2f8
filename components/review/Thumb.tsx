/** A lazily loaded thumbnail from the thumbnail route; a plain box when the photo has no image yet. */
export function Thumb({ contentHash, alt, className = '' }: { contentHash: string | null; alt: string; className?: string }) {
  if (!contentHash) {
    return <div className={`flex items-center justify-center bg-slate-200 text-xs text-slate-500 ${className}`} role="img" aria-label={alt}>no image</div>;
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- thumbnails are already sized WebP from our own route
    <img src={`/api/thumbnails/${contentHash}`} alt={alt} loading="lazy" decoding="async" draggable={false}
      className={`bg-slate-100 object-cover ${className}`} />
  );
}

/** A box in image fractions ({x, y, w, h}) drawn over a photo: where the watermark check saw the mark. */
export function BoxOverlay({ box, label }: { box: unknown; label: string }) {
  const b = box as { x?: number; y?: number; w?: number; h?: number } | null;
  if (!b || [b.x, b.y, b.w, b.h].some((v) => typeof v !== 'number')) return null;
  return (
    <span aria-label={label} role="img" className="pointer-events-none absolute border-2 border-fuchsia-500 shadow-[0_0_0_1px_white]"
      style={{ left: `${b.x! * 100}%`, top: `${b.y! * 100}%`, width: `${b.w! * 100}%`, height: `${b.h! * 100}%` }} />
  );
}
