'use client';
import { useState } from 'react';

import { asBox } from './evidenceWords';

/**
 * A lazily loaded thumbnail, letterboxed whole into the box its className gives (portrait, panorama or square alike),
 * so a grid cell's height never depends on the photo's shape. `box` draws the watermark box over the picture itself,
 * not over the letterbox bars. A plain box when the photo has no image, saying why when the caller knows (`missing`).
 */
export function Thumb({
  contentHash,
  alt,
  className = '',
  box,
  boxLabel = 'Watermark box',
  missing,
}: {
  contentHash: string | null;
  alt: string;
  className?: string;
  box?: unknown;
  boxLabel?: string;
  /** Why there is no image (e.g. "Gone from Flickr"), shown in its place. */
  missing?: string | null;
}) {
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  if (!contentHash) {
    const why = missing ?? 'No image';
    return (
      <div
        className={`flex items-center justify-center bg-slate-200 p-2 text-center text-xs text-slate-600 ${className}`}
        role="img"
        aria-label={alt ? `${alt}: ${why}` : why}
      >
        {why}
      </div>
    );
  }
  const b = asBox(box);
  return (
    <span className={`relative block overflow-hidden bg-slate-200 ${className}`}>
      {/* eslint-disable-next-line @next/next/no-img-element -- thumbnails are already sized WebP from our own route */}
      <img
        src={`/api/thumbnails/${contentHash}`}
        alt={alt}
        loading="lazy"
        decoding="async"
        draggable={false}
        onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
        className="absolute inset-0 h-full w-full object-contain"
      />
      {b && size && (
        // Same viewBox and "meet" as object-contain: the rectangle lands on the picture whatever the letterbox.
        <svg
          viewBox={`0 0 ${size.w} ${size.h}`}
          preserveAspectRatio="xMidYMid meet"
          role="img"
          aria-label={boxLabel}
          className="pointer-events-none absolute inset-0 h-full w-full"
        >
          <rect
            x={b.x * size.w}
            y={b.y * size.h}
            width={b.w * size.w}
            height={b.h * size.h}
            fill="none"
            stroke="white"
            strokeWidth={4}
            vectorEffect="non-scaling-stroke"
          />
          <rect
            x={b.x * size.w}
            y={b.y * size.h}
            width={b.w * size.w}
            height={b.h * size.h}
            fill="none"
            stroke="#d946ef"
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
          />
        </svg>
      )}
    </span>
  );
}

/** A box in image fractions ({x, y, w, h}) drawn over an image shown at its own aspect ratio: where the watermark is. */
export function BoxOverlay({ box, label }: { box: unknown; label: string }) {
  const b = asBox(box);
  if (!b) return null;
  return (
    <span
      aria-label={label}
      role="img"
      className="pointer-events-none absolute border-2 border-fuchsia-500 shadow-[0_0_0_1px_white]"
      style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}
    />
  );
}
