// Groups an account's photos by orientation and decodes thumbnails into each group's common frame.
import sharp from 'sharp';
import { median } from '../../lib/stats/median.ts';
import type { Gray, Orientation } from './types.ts';

/** A photo to analyse: its image (file path or bytes) and its size, whose aspect picks its group. */
export type PhotoRef = { id: string; width: number; height: number; source: string | Buffer };

export type FrameGroup = { orientation: Orientation; width: number; height: number; photos: PhotoRef[] };

export type Decoded = { ok: true; gray: Gray } | { ok: false; error: string };

/** The common frame's long side: the thumbnails' own resolution, so most photos are not resampled. */
export const FRAME_LONG = 256;

/** Landscape (and square) photos in one frame, portrait in another; the frame takes the group's median aspect. */
export function groupByOrientation(photos: PhotoRef[]): FrameGroup[] {
  const groups: FrameGroup[] = [];
  for (const orientation of ['landscape', 'portrait'] as const) {
    const members = photos.filter(
      (p) => p.width > 0 && p.height > 0 && p.width >= p.height === (orientation === 'landscape'),
    );
    if (members.length === 0) continue;
    const shortOverLong = median(
      members.map((p) => Math.min(p.width, p.height) / Math.max(p.width, p.height)),
    );
    const short = Math.max(16, Math.round(FRAME_LONG * shortOverLong));
    groups.push(
      orientation === 'landscape'
        ? { orientation, width: FRAME_LONG, height: short, photos: members }
        : { orientation, width: short, height: FRAME_LONG, photos: members },
    );
  }
  return groups;
}

/** Greyscale pixels stretched to the frame: corner-anchored marks land on the same pixels across photos. */
export async function decodeToFrame(photo: PhotoRef, width: number, height: number): Promise<Decoded> {
  try {
    const buf = await sharp(photo.source, { failOn: 'error' })
      .resize(width, height, { fit: 'fill' })
      .greyscale()
      .raw()
      .toBuffer();
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = buf[i];
    return { ok: true, gray: { data, width, height } };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Decodes many photos with a bounded number in flight (libvips threads do the rest). */
export async function decodeAll(
  photos: PhotoRef[],
  width: number,
  height: number,
  concurrency = 4,
): Promise<Decoded[]> {
  const out: Decoded[] = new Array(photos.length);
  let next = 0;
  const worker = async () => {
    while (next < photos.length) {
      const i = next++;
      out[i] = await decodeToFrame(photos[i], width, height);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, photos.length) }, worker));
  return out;
}
