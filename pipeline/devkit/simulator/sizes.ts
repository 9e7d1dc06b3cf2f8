// Flickr's size ladder for a universe photo: which renditions exist, their pixel sizes, secrets and URLs.
import { hashSeed } from '../random.ts';
import type { UniversePhoto } from '../universe/types.ts';

/** `extra` is the search extra (url_<extra>), `suffix` the file-name suffix, `long` the longest side. */
export const SIZES = [
  { extra: 'm', suffix: '', label: 'Medium', long: 500 },
  { extra: 'z', suffix: 'z', label: 'Medium 640', long: 640 },
  { extra: 'c', suffix: 'c', label: 'Medium 800', long: 800 },
  { extra: 'l', suffix: 'b', label: 'Large', long: 1024 },
  { extra: 'h', suffix: 'h', label: 'Large 1600', long: 1600 },
  { extra: 'k', suffix: 'k', label: 'Large 2048', long: 2048 },
] as const;

export type Rendition = {
  extra: string;
  suffix: string;
  label: string;
  width: number;
  height: number;
  secret: string;
};

/** `_h` and `_k` have secrets of their own on Flickr; derive stable ones. */
function sizeSecret(photo: UniversePhoto, suffix: string): string {
  if (suffix === 'o') return photo.originalSecret;
  if (suffix === 'h' || suffix === 'k')
    return (hashSeed(`${photo.secret}:${suffix}`).toString(16) + photo.secret).slice(0, 10);
  return photo.secret;
}

/** Renditions Flickr would offer: none larger than the original; the original only when the owner shows it. */
export function renditions(photo: UniversePhoto): Rendition[] {
  const long = Math.max(photo.width, photo.height);
  const out: Rendition[] = [];
  for (const s of SIZES) {
    if (s.long > long) continue;
    const f = s.long / long;
    out.push({
      extra: s.extra,
      suffix: s.suffix,
      label: s.label,
      width: Math.max(1, Math.round(photo.width * f)),
      height: Math.max(1, Math.round(photo.height * f)),
      secret: sizeSecret(photo, s.suffix),
    });
  }
  if (!photo.originalHidden)
    out.push({
      extra: 'o',
      suffix: 'o',
      label: 'Original',
      width: photo.width,
      height: photo.height,
      secret: photo.originalSecret,
    });
  return out;
}

export function renditionBySuffix(photo: UniversePhoto, suffix: string): Rendition | undefined {
  return renditions(photo).find((r) => r.suffix === suffix);
}

/** live.staticflickr.com-style URL on `origin` (e.g. http://127.0.0.1:4010). */
export function imageUrl(origin: string, photo: UniversePhoto, r: Rendition): string {
  const ext = r.suffix === 'o' ? photo.originalFormat : 'jpg';
  return `${origin}/${photo.server}/${photo.id}_${r.secret}${r.suffix ? `_${r.suffix}` : ''}.${ext}`;
}

export const IMAGE_PATH = /^\/(\d+)\/(\d+)_([0-9a-f]+)(?:_([a-z]))?\.(jpg|png|gif)$/;
