// Benchmark: fetch-free analysis of 1024 px JPEGs (decode, thumbnail, pHash, CLIP crop, hash) vs. sharp decoding alone, per core.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { cropGeometry } from '../../pipeline/clip/preprocess.ts';
import { processImage } from '../../pipeline/fetch/process.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { renderImage } from '../../pipeline/universe/images.ts';
import { generateUniverse } from '../../pipeline/universe/generate.ts';

/**
 * Images per CPU-second of this process (user + system, all threads): a per-core figure that neither
 * libvips' worker threads nor other programs on a shared machine can flatter or spoil.
 */
async function timeIt(images: Buffer[], rounds: number, fn: (b: Buffer, i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(5, images.length); i++) await fn(images[i], i); // warm-up
  const cpu = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < images.length; i++) await fn(images[i], i);
  const used = process.cpuUsage(cpu);
  return (images.length * rounds) / ((used.user + used.system) / 1e6);
}

/** The size the analysis decodes to when it keeps a CLIP crop: short side 224 (CLIP's resize). */
async function shrinkTarget(b: Buffer): Promise<[number, number]> {
  const m = await sharp(b).metadata();
  const g = cropGeometry(m.width ?? 1, m.height ?? 1);
  return [g.outWidth, g.outHeight];
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const count = Number(flags.images ?? 60);
  const rounds = Number(flags.rounds ?? 3);
  // One image at a time on one libvips thread: figures are per core.
  sharp.concurrency(1);
  const universe = generateUniverse({ seed: 'bench-analyze', photos: count * 2 });
  const photos = universe.photos.filter((p) => p.image.kind === 'photo').slice(0, count);
  const images: Buffer[] = [];
  for (const p of photos) {
    const landscape = p.width >= p.height;
    const [w, h] = landscape ? [1024, Math.round((1024 * p.height) / p.width)] : [Math.round((1024 * p.width) / p.height), 1024];
    images.push(await renderImage(p, { width: w, height: h }));
  }
  const kb = images.reduce((s, b) => s + b.length, 0) / images.length / 1024;
  console.log(`analyze bench: ${images.length} photo-like 1024 px JPEGs (mean ${kb.toFixed(0)} KB), ${rounds} rounds, one image in flight, rates per CPU-second`);
  const decode = await timeIt(images, rounds, (b) => sharp(b).raw().toBuffer());
  const full = await timeIt(images, rounds, async (b) => {
    createHash('sha256').update(b).digest('hex');
    const r = await processImage(b);
    if (!r.ok) throw new Error(r.message);
  });
  const noClip = await timeIt(images, rounds, async (b) => {
    createHash('sha256').update(b).digest('hex');
    await processImage(b, { clip: false });
  });
  // Where the time goes: the two parts no implementation can skip (one decode at the size the outputs need,
  // the WebP thumbnail the review UI serves), each on its own, against the same baseline.
  const sized = await Promise.all(images.map((b) => shrinkTarget(b)));
  const shrunk = await timeIt(images, rounds, (b, i) => sharp(b).resize(...sized[i]).raw().toBuffer());
  const thumbs = await Promise.all(images.map((b) => sharp(b).resize(256, 256, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true })));
  const webp = await timeIt(images, rounds, (_, i) => {
    const t = thumbs[i];
    return sharp(t.data, { raw: { width: t.info.width, height: t.info.height, channels: 3 } }).webp({ quality: 80, effort: 0 }).toBuffer();
  });
  console.log(`  sharp decode only:                          ${decode.toFixed(1)} images/s per core (baseline)`);
  console.log(`  decode at the CLIP work size (shrink-on-load): ${shrunk.toFixed(1)} images/s per core = ${(shrunk / decode).toFixed(2)} × decode-only`);
  console.log(`  WebP encode of the 256 px thumbnail alone:  ${webp.toFixed(1)} images/s per core = ${(webp / decode).toFixed(2)} × decode-only`);
  console.log(`  analysis (hash, thumbnail, pHash, CLIP crop): ${full.toFixed(1)} images/s per core = ${(full / decode).toFixed(2)} × decode-only (target ≥ 0.70)`);
  console.log(`  analysis without the CLIP crop:              ${noClip.toFixed(1)} images/s per core = ${(noClip / decode).toFixed(2)} × decode-only`);
}
