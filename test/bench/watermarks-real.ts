// `npm run bench -- watermarks-real [accounts] [seed]`: the watermark check on real photographs (Debian's
// mate-backgrounds / gnome-backgrounds nature and wood photos) cropped into accounts of mixed orientation, with
// synthetic text and logo marks (sharp/SVG) at random corners, 0.1–0.35 of the width, opacity 0.25–0.6, on 70–95 %
// of an account's photos. Prints account and photo precision/recall, and recall on each account's minority orientation.
import sharp from 'sharp';
import { DEFAULT_CONFIG } from '../../pipeline/watermarks/config.ts';
import { detectAccount } from '../../pipeline/watermarks/detect.ts';
import { watermarkRng, type Rng } from '../../pipeline/devkit/random.ts';
import { stampWatermark, toThumbnail } from '../../pipeline/devkit/watermarks/synthetic.ts';
import { randomWatermark } from '../../pipeline/devkit/watermarks/syntheticAccounts.ts';
import type { RawImage } from '../../pipeline/watermarks/types.ts';
import { debianPhotos } from '../helpers/debianPhotos.ts';
import { intValue } from './lib/benchFlags.ts';

/** `npm run bench -- watermarks-real --help` prints this; it takes no flags (test/bench/index.ts). */
export const usage =
  '[accounts (40)] [seed (real)]: watermark detection on real photographs with synthetic marks';
export const flags: Record<string, string> = {};

type Counts = { tp: number; fp: number; fn: number; tn: number };
const add = (c: Counts, truth: boolean, predicted: boolean) => {
  if (truth && predicted) c.tp++;
  else if (predicted) c.fp++;
  else if (truth) c.fn++;
  else c.tn++;
};
const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 });
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');
const line = (label: string, c: Counts) =>
  `${label.padEnd(36)} precision ${pct(c.tp, c.tp + c.fp).padStart(6)}  recall ${pct(c.tp, c.tp + c.fn).padStart(6)}   (tp ${c.tp}, fp ${c.fp}, fn ${c.fn}, tn ${c.tn})`;

/** A random view of a source photo at a camera aspect, as its own photo: long side 768 px. */
async function view(source: RawImage, rng: Rng, portrait: boolean): Promise<RawImage> {
  const aspect = rng.pick([3 / 2, 4 / 3, 3 / 2, 16 / 9]);
  const a = portrait ? 1 / aspect : aspect;
  const scale = rng.range(0.45, 1);
  const width = Math.round(Math.min(source.width, source.height * a) * scale);
  const height = Math.round(width / a);
  const left = rng.int(0, source.width - width),
    top = rng.int(0, source.height - height);
  const long = 768;
  const { data, info } = await sharp(source.data, {
    raw: { width: source.width, height: source.height, channels: source.channels },
  })
    .extract({ left, top, width, height })
    .resize(portrait ? { height: long } : { width: long })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export async function run(args: string[]): Promise<void> {
  const accounts = intValue('the account count (first argument)', args[0], 40, { min: 1 });
  const seed = args[1] ?? 'real';
  const files = await debianPhotos();
  process.stderr.write(`${files.length} real photographs from Debian packages\n`);
  const sources: RawImage[] = await Promise.all(
    files.map(async (f) => {
      const { data, info } = await sharp(f)
        .resize(1600, 1600, { fit: 'inside' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: 3 };
    }),
  );
  const accountFail = zero(),
    accountFlagged = zero(),
    photos = zero(),
    minority = zero();
  let unassessed = 0;
  for (let i = 0; i < accounts; i++) {
    const rng = watermarkRng(`${seed}:${i}`);
    const marked = i % 2 === 0;
    const spec = randomWatermark(rng);
    const carryRate = rng.range(0.7, 0.95);
    const portraitShare = rng.pick([0.05, 0.1, 0.3, 0.5, 0.85, 0.95]);
    const n = rng.int(10, 40);
    const made: {
      id: string;
      width: number;
      height: number;
      thumb: Buffer;
      carries: boolean;
      portrait: boolean;
    }[] = [];
    for (let j = 0; j < n; j++) {
      const portrait = rng.chance(portraitShare);
      let image = await view(rng.pick(sources), rng, portrait);
      const carries = marked && rng.chance(carryRate);
      if (carries)
        image = (await stampWatermark(image, { ...spec, jitter: { dx: rng.int(-1, 1), dy: rng.int(-1, 1) } }))
          .image;
      made.push({
        id: `${i}-${j}`,
        width: image.width,
        height: image.height,
        thumb: await toThumbnail(image),
        carries,
        portrait,
      });
    }
    const outcome = await detectAccount(
      `real${i}@N00`,
      made.map((p) => ({ id: p.id, width: p.width, height: p.height, source: p.thumb })),
      DEFAULT_CONFIG,
    );
    add(accountFail, marked, outcome.verdict === 'fail');
    add(accountFlagged, marked, outcome.verdict !== 'pass');
    const few = made.filter((p) => p.portrait).length * 2 < n;
    const byId = new Map(outcome.photos.map((o) => [o.id, o]));
    const mine = zero();
    for (const p of made) {
      const o = byId.get(p.id)!;
      if (o.status === 'unassessed') unassessed++;
      const predicted = outcome.verdict !== 'pass' && o.carries;
      add(photos, p.carries, predicted);
      if (p.portrait === few) {
        add(minority, p.carries, predicted);
        add(mine, p.carries, predicted);
      }
    }
    process.stderr.write(
      `account ${i + 1}/${accounts}: ${marked ? `${spec.kind} ${spec.corner} α=${spec.opacity.toFixed(2)} w=${spec.size.toFixed(2)}` : 'clean'} ` +
        `(${n} photos, ${made.filter((p) => p.portrait).length} portrait) → ${outcome.verdict} ${outcome.score.toFixed(3)}, ${outcome.photosWith}/${made.filter((p) => p.carries).length}` +
        `; minority orientation tp ${mine.tp} fp ${mine.fp} fn ${mine.fn}\n`,
    );
  }
  console.log(`${accounts} accounts of real photographs (${files.length} sources, seed "${seed}")`);
  console.log(line('accounts, verdict fail', accountFail));
  console.log(line('accounts, fail or uncertain', accountFlagged));
  console.log(line('photos carrying the mark', photos));
  console.log(line('  … of the minority orientation', minority));
  console.log(`photos left without a verdict (unassessed): ${unassessed}`);
}
