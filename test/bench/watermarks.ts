// Benchmark: watermark check time per account of 64 photos, against the 2 s target and against decoding alone.
import sharp from 'sharp';
import { DEFAULT_CONFIG } from '../../pipeline/watermarks/config.ts';
import { detectAccount } from '../../pipeline/watermarks/detect.ts';
import type { PhotoRef } from '../../pipeline/watermarks/frame.ts';
import { generateAccount } from '../../pipeline/devkit/watermarks/syntheticAccounts.ts';
import { intValue } from './lib/benchFlags.ts';

/** `npm run bench -- watermarks --help` prints this; it takes no flags (test/bench/index.ts). */
export const usage = '[photos (64)] [runs (5)]: watermark check time per account';
export const flags: Record<string, string> = {};

const TARGET_MS = 2000;

async function time(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn(); // warm-up: JIT and libvips caches
  const started = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return (performance.now() - started) / runs;
}

export async function run(args: string[]): Promise<void> {
  const photos = intValue('the photo count (first argument)', args[0], 64, { min: 1 });
  const runs = intValue('the run count (second argument)', args[1], 5, { min: 1 });
  process.stderr.write(`generating an account of ${photos} photos…\n`);
  const account = await generateAccount(
    'bench@N00',
    { watermark: true, border: false, photos },
    'bench-watermarks',
  );
  const refs: PhotoRef[] = account.photos.map((p) => ({
    id: p.id,
    width: p.width,
    height: p.height,
    source: p.thumb,
  }));
  const decodeMs = await time(
    () => Promise.all(refs.map((r) => sharp(r.source).greyscale().raw().toBuffer())),
    runs,
  );
  const config = { ...DEFAULT_CONFIG, sample: photos };
  let verdict = '';
  const detectMs = await time(async () => {
    const outcome = await detectAccount(account.nsid, refs, config);
    verdict = `${outcome.verdict} (score ${outcome.score.toFixed(3)}, ${outcome.photosWith}/${outcome.photosChecked} photos carry it)`;
  }, runs);
  console.log(`watermarks: ${detectMs.toFixed(0)} ms per account of ${photos} photos → ${verdict}`);
  console.log(`  vs target ${TARGET_MS} ms: ${(detectMs / TARGET_MS).toFixed(3)}× (lower is better)`);
  console.log(
    `  vs decoding the ${photos} thumbnails alone with sharp (${decodeMs.toFixed(0)} ms): ${(detectMs / decodeMs).toFixed(2)}×`,
  );
}
