// One account at a time: the planted mark is found where it is, clean and bordered accounts are not flagged.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../pipeline/watermarks/config.ts';
import { boxOverlap, detectAccount, type AccountOutcome } from '../../../pipeline/watermarks/detect.ts';
import { plantedBox } from '../../../pipeline/devkit/quality/watermarks.ts';
import { renderWatermark } from '../../../pipeline/watermarks/render.ts';
import {
  generateAccount,
  planAccounts,
  type AccountPlan,
  type SyntheticAccount,
} from '../../../pipeline/devkit/watermarks/syntheticAccounts.ts';

const refs = (a: SyntheticAccount) =>
  a.photos.map((p) => ({ id: p.id, width: p.width, height: p.height, source: p.thumb }));

async function run(
  nsid: string,
  plan: AccountPlan,
  config = DEFAULT_CONFIG,
): Promise<{ account: SyntheticAccount; outcome: AccountOutcome }> {
  const account = await generateAccount(nsid, { size: 384, portraitShare: 0, ...plan });
  return { account, outcome: await detectAccount(nsid, refs(account), config) };
}

describe('detectAccount', () => {
  let marked: { account: SyntheticAccount; outcome: AccountOutcome };
  beforeAll(async () => {
    marked = await run('logo@N01', {
      watermark: true,
      border: false,
      photos: 20,
      carryRate: 0.8,
      watermarkSpec: {
        kind: 'logo',
        logo: 'ring',
        text: 'JD',
        color: '#ffffff',
        opacity: 0.4,
        corner: 'bottom-right',
        size: 0.12,
        margin: 0.03,
      },
    });
  });

  it('fails an account whose photos repeat a faint logo, with a box on the planted one', () => {
    const { account, outcome } = marked;
    expect(outcome.verdict).toBe('fail');
    const planted = plantedBox(account, true);
    expect(planted).not.toBeNull();
    expect(boxOverlap(planted!, outcome.best!.estimate.box!)).toBeGreaterThanOrEqual(0.5);
  });

  it('tells which photos carry the mark', () => {
    const { account, outcome } = marked;
    const truth = new Map(account.photos.map((p) => [p.id, p.truth.watermark]));
    const wrong = outcome.photos.filter((p) => p.carries !== truth.get(p.id));
    const missed = wrong.filter((p) => !p.carries).length;
    expect(outcome.photosWith).toBe(
      account.photos.filter((p) => p.truth.watermark).length - missed + (wrong.length - missed),
    );
    // The threshold is set for faint marks (opacity 0.25): on this clear one, a scene edge or two may pass it.
    expect(missed).toBe(0);
    expect(wrong.length).toBeLessThanOrEqual(2);
    expect(outcome.photosChecked).toBe(20);
  });

  it('renders the estimate so the mark stands out inside its box', async () => {
    const est = marked.outcome.best!.estimate;
    const png = await renderWatermark(
      { residual: est.residual, width: est.width, height: est.height, box: est.boxPx, lines: est.lines },
      { scale: 1 },
    );
    const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([est.width, est.height]);
    const b = est.boxPx!;
    let inside = 0,
      insideN = 0,
      outside = 0,
      outsideN = 0;
    for (let y = 0; y < info.height; y++)
      for (let x = 0; x < info.width; x++) {
        const v = data[y * info.width + x];
        if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1) {
          inside += v;
          insideN++;
        } else {
          outside += v;
          outsideN++;
        }
      }
    expect(inside / insideN).toBeGreaterThan(8 * (outside / outsideN));
  });

  it('passes a clean account, and gives the same answer every time (sampling is seeded by the nsid)', async () => {
    const { account, outcome } = await run('clean@N02', { watermark: false, border: false, photos: 16 });
    expect(outcome.verdict).toBe('pass');
    expect(outcome.score).toBeLessThan(DEFAULT_CONFIG.uncertain);
    expect(outcome.photosWith).toBe(0);
    const again = await detectAccount(account.nsid, refs(account).reverse(), DEFAULT_CONFIG);
    expect(again.score).toBe(outcome.score);
  });

  it('reports a uniform border as a border, not a watermark', async () => {
    const { outcome } = await run('border@N03', {
      watermark: false,
      border: true,
      photos: 14,
      borderSpec: { kind: 'border', width: 0.04, color: '#ffffff' },
    });
    expect(outcome.verdict).toBe('pass');
    expect(outcome.border?.kind).toBe('border');
    if (outcome.border?.kind === 'border') {
      expect(outcome.border.photosWith).toBe(14);
      expect(outcome.border.sides.top).toBeGreaterThan(0.02);
      expect(outcome.border.color).toBeGreaterThan(240);
    }
    expect(outcome.photos.every((p) => p.border)).toBe(true);
  });

  it('reports a thin frame line as a frame, not a watermark', async () => {
    const { outcome } = await run('frame@N04', {
      watermark: false,
      border: true,
      photos: 14,
      borderSpec: { kind: 'frame', inset: 0.04, thickness: 0.008, color: '#000000' },
    });
    expect(outcome.verdict).toBe('pass');
    expect(outcome.border?.kind).toBe('frame');
    if (outcome.border?.kind === 'frame')
      expect(outcome.border.lines.map((l) => l.axis).sort()).toEqual(['h', 'h', 'v', 'v']);
  });

  it('samples at most K photos per orientation and still checks every photo for the mark', async () => {
    const account = marked.account;
    const outcome = await detectAccount(account.nsid, refs(account), { ...DEFAULT_CONFIG, sample: 12 });
    expect(outcome.photosSampled).toBe(12);
    expect(outcome.photosChecked).toBe(20);
    expect(outcome.verdict).toBe('fail');
  });

  it.each([
    [
      'portrait-poor',
      0.15,
      'portrait',
      {
        kind: 'text',
        text: '© M. Keller Photo',
        color: '#ffffff',
        opacity: 0.35,
        corner: 'bottom-left',
        size: 0.3,
        margin: 0.03,
      },
    ],
    [
      'portrait-heavy',
      0.95,
      'landscape',
      {
        kind: 'logo',
        logo: 'camera',
        text: 'MK',
        color: '#000000',
        opacity: 0.45,
        corner: 'top-right',
        size: 0.15,
        margin: 0.04,
      },
    ],
  ] as const)(
    'gives the few photos of the other orientation a verdict too (%s account)',
    async (name, portraitShare, minority, spec) => {
      const { account, outcome } = await run(`${name}@N07`, {
        watermark: true,
        border: false,
        photos: 30,
        carryRate: 0.8,
        portraitShare,
        watermarkSpec: spec,
      });
      const few = outcome.photos.filter((p) => p.orientation === minority);
      expect(few.length).toBeGreaterThan(0);
      expect(few.length).toBeLessThan(6);
      expect(outcome.verdict).toBe('fail');
      const truth = new Map(account.photos.map((p) => [p.id, p.truth.watermark]));
      for (const p of few) {
        expect(p.transferredFrom).toBe(minority === 'portrait' ? 'landscape' : 'portrait');
        expect(p.correlation).not.toBeNull();
        if (p.carries) expect(truth.get(p.id), `${p.id} (${p.correlation?.toFixed(3)})`).toBe(true);
      }
      // A photo cropped to another aspect (here a square one) is stretched into the frame, which moves its mark.
      const carriers = few.filter((p) => truth.get(p.id));
      expect(carriers.filter((p) => p.carries).length).toBeGreaterThanOrEqual(carriers.length - 1);
      expect(carriers.filter((p) => p.carries).length).toBeGreaterThan(0);
    },
  );

  // A light-grey logo at opacity 0.27 (account 73 of `watermarks quality`'s default seed: 19 portraits, 14 marked)
  // differs from bright scenes by a few grey levels: in the median few of its edge pixels reach 6 noise units, so its
  // box looked as sparse as a chance alignment of scene edges and the account passed (score 0.01).
  it('fails an account whose faint light-grey logo leaves only scattered significant edges, and finds its photos', async () => {
    const plan = planAccounts(100, 'quality', { min: 8, max: 48 })[73];
    const account = await generateAccount('10073@N03', { ...plan, size: 512 }, 'quality:73');
    expect(account.truth.watermark).toMatchObject({ color: '#c8c8c8', corner: 'bottom-left' });
    const outcome = await detectAccount(account.nsid, refs(account), DEFAULT_CONFIG);
    expect(outcome.verdict).toBe('fail');
    const truth = new Map(account.photos.map((p) => [p.id, p.truth.watermark]));
    const carriers = outcome.photos.filter((p) => truth.get(p.id));
    expect(carriers.filter((p) => p.carries).length).toBeGreaterThanOrEqual(0.85 * carriers.length);
    // Scene edges of a bright corner can follow so faint a mark: one or two unmarked photos may pass.
    expect(outcome.photos.filter((p) => p.carries && !truth.get(p.id)).length).toBeLessThanOrEqual(2);
  });

  it('leaves orientation groups too small for a median unassessed when no orientation has a mark', async () => {
    const { outcome } = await run('few@N05', {
      watermark: false,
      border: false,
      photos: 8,
      portraitShare: 0.5,
    });
    const unassessed = outcome.photos.filter((p) => p.status === 'unassessed').length;
    expect(unassessed).toBeGreaterThan(0);
    expect(outcome.photos).toHaveLength(8);
  });
});
