// Benchmark: fetch-free analysis of 1024 px JPEGs (hash, decode, thumbnail, pHash, crop hashes; then with the CLIP crop) vs. sharp decoding alone, per core.
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import sharp from 'sharp';
import { cropGeometry } from '../../pipeline/clip/preprocess.ts';
import { withJpegShrink } from '../../pipeline/fetch/jpegShrink.ts';
import { processImage } from '../../pipeline/fetch/process.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { renderImage } from '../../pipeline/devkit/universe/images.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';
import { median } from '../../lib/stats/median.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- analyze --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'analysis stage throughput per core';
export const flags: Record<string, string> = {
  images: 'N images (60)',
  rounds: 'N rounds, the median reported (7)',
};

type Variant = (b: Buffer, i: number) => Promise<unknown>;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/**
 * Images per CPU-second of this process (user + system, all threads) for each variant: a per-core figure
 * that neither libvips' worker threads nor other programs on a shared machine can flatter or spoil. The
 * variants take turns, one pass over the images each per round, and each keeps its median round, so a
 * slow spell of the machine (page-fault storms show up as system time) hits all of them alike. A pass
 * starts on a collected heap and ends by collecting its own garbage, so none pays for another's buffers.
 */
async function rates<K extends string>(
  images: Buffer[],
  rounds: number,
  variants: Record<K, Variant>,
): Promise<Record<K, number>> {
  const names = Object.keys(variants) as K[];
  const times = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const k of names)
    for (let i = 0; i < Math.min(10, images.length); i++) await variants[k](images[i], i); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const k of names) {
      collectGarbage();
      const cpu = process.cpuUsage();
      for (let i = 0; i < images.length; i++) await variants[k](images[i], i);
      collectGarbage();
      const used = process.cpuUsage(cpu);
      times[k].push((used.user + used.system) / 1e6);
    }
  }
  return Object.fromEntries(names.map((k) => [k, images.length / median(times[k])])) as Record<K, number>;
}

/** The size the analysis decodes to when it keeps a CLIP crop: short side 224 (CLIP's resize). */
async function shrinkTarget(b: Buffer): Promise<[number, number]> {
  const m = await sharp(b).metadata();
  const g = cropGeometry(m.width ?? 1, m.height ?? 1);
  return [g.outWidth, g.outHeight];
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const count = intFlag(flags, 'images', 60, { min: 1 });
  const rounds = intFlag(flags, 'rounds', 7, { min: 1 });
  // One image at a time on one libvips thread: figures are per core.
  sharp.concurrency(1);
  const universe = generateUniverse({ seed: 'bench-analyze', photos: count * 2 });
  const photos = universe.photos.filter((p) => p.image.kind === 'photo').slice(0, count);
  const images: Buffer[] = [];
  for (const p of photos) {
    const landscape = p.width >= p.height;
    const [w, h] = landscape
      ? [1024, Math.round((1024 * p.height) / p.width)]
      : [Math.round((1024 * p.width) / p.height), 1024];
    images.push(await renderImage(p, { width: w, height: h }));
  }
  const kb = images.reduce((s, b) => s + b.length, 0) / images.length / 1024;
  console.log(
    `analyze bench: ${images.length} photo-like 1024 px JPEGs (mean ${kb.toFixed(0)} KB), ${rounds} rounds taking turns (median), one image in flight, rates per CPU-second`,
  );
  const sized = await Promise.all(images.map((b) => shrinkTarget(b)));
  const thumbs = await Promise.all(
    images.map((b) =>
      sharp(b).resize(256, 256, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true }),
    ),
  );
  const analyse = (clip: boolean) => async (b: Buffer) => {
    createHash('sha256').update(b).digest('hex');
    const r = await processImage(b, { clip });
    if (!r.ok) throw new Error(r.message);
  };
  const r = await rates(images, rounds, {
    decode: (b) => sharp(b).raw().toBuffer(),
    analysis: analyse(false),
    withClip: analyse(true),
    // Where the time goes: each part no implementation can skip, on its own, against the same baseline.
    quarter: (b) => withJpegShrink(b, 4, {}, (img) => img.raw().toBuffer()),
    clipSize: (b, i) =>
      sharp(b)
        .resize(...sized[i])
        .raw()
        .toBuffer(),
    webp: (_, i) => {
      const t = thumbs[i];
      return sharp(t.data, { raw: { width: t.info.width, height: t.info.height, channels: 3 } })
        .webp({ quality: 80, effort: 0 })
        .toBuffer();
    },
  });
  const decode = r.decode;
  const ratio = (v: number) => `${v.toFixed(1)} images/s per core = ${(v / decode).toFixed(2)} × decode-only`;
  console.log(
    `  sharp decode only:                             ${decode.toFixed(1)} images/s per core (baseline)`,
  );
  console.log(`  analysis (hash, size, thumbnail, pHash, crop hashes): ${ratio(r.analysis)} (target ≥ 0.70)`);
  console.log(`  the same plus the CLIP crop for the clip stage: ${ratio(r.withClip)}`);
  console.log('  each part alone:');
  console.log(`    decode at 1/4 scale (the thumbnail's size):  ${ratio(r.quarter)}`);
  console.log(`    decode at CLIP's size (short side 224):      ${ratio(r.clipSize)}`);
  console.log(`    WebP encode of the 256 px thumbnail:         ${ratio(r.webp)}`);
}
