// The export read back: Parquet (with a Parquet reader), JSONL and CSV hold exactly the photos the inclusion rule selects.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../../lib/db.ts';
import { includedPhotoIdsSql } from '../../../lib/inclusion.ts';
import { getExport } from '../../../lib/queries/exports.ts';
import { photoUrls } from '../../../pipeline/export/columns.ts';
import { runExport } from '../../../pipeline/export/export.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { seedInclusionStates, type Seeded } from './seedPhotos.ts';
import { duckQuery as query } from '../../helpers/duckdb.ts';

useTestDatabase();
let seeded: Seeded;
let out: string;
const LICENSES = [7, 8, 9, 10];

beforeAll(async () => {
  seeded = await seedInclusionStates();
  out = await mkdtemp(path.join(os.tmpdir(), 'quarry-export-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('export', () => {
  it('writes Parquet, JSONL and CSV whose rows are exactly the included photos, with a manifest', async () => {
    const dir = path.join(out, 'all');
    const r = await runExport({
      formats: ['parquet', 'jsonl', 'csv'],
      licenses: LICENSES,
      outDir: dir,
      thresholds: { minResolution: 256 },
      runId: 'run-x',
    });
    const expected = (
      await db().$queryRaw<{ photo_id: string }[]>(Prisma.sql`${includedPhotoIdsSql(LICENSES)}`)
    )
      .map((x) => x.photo_id)
      .sort();
    expect(expected).toEqual(seeded.included);
    expect(r.rowCount).toBe(expected.length);
    expect((await readdir(dir)).sort()).toEqual([
      'manifest.json',
      'photos.csv',
      'photos.jsonl',
      'photos.parquet',
    ]);

    const parquet = path.join(dir, 'photos.parquet');
    const rows = await query(`SELECT * FROM read_parquet('${parquet}') ORDER BY photo_id`);
    expect(rows.map((x) => x.photo_id)).toEqual(expected);
    const photos = await db().photo.findMany({ where: { id: { in: expected } }, orderBy: { id: 'asc' } });
    for (const [i, p] of photos.entries()) {
      expect(rows[i]).toMatchObject({
        ...photoUrls({ id: p.id, owner: p.ownerNsid, secret: p.secret, server: p.server }),
        owner: p.ownerNsid,
        license: p.license,
        title: p.title,
        tags: p.tags,
        width: p.originalWidth,
        height: p.originalHeight,
      });
    }
    expect(rows[0].url).toBe('https://live.staticflickr.com/65535/1001_s1001.jpg');
    expect(rows[0].url_highres).toBe('https://live.staticflickr.com/65535/1001_s1001_b.jpg');
    expect(rows[0].url_source).toBe('https://www.flickr.com/photos/1@N01/1001');
    expect(rows.find((x) => x.photo_id === '1002')!.title).toBe('Comma, "quote" and\nnewline');
    expect(rows.find((x) => x.photo_id === '1003')!.title).toBe('');
    const meta = await query(`SELECT DISTINCT compression FROM parquet_metadata('${parquet}')`);
    expect(meta).toEqual([{ compression: 'ZSTD' }]);
    const types = await query(
      `SELECT name, type FROM parquet_schema('${parquet}') WHERE name IN ('url', 'url_highres', 'url_source')`,
    );
    expect(types.map((t) => t.name).sort()).toEqual(['url', 'url_highres', 'url_source']);

    const jsonl = (await readFile(path.join(dir, 'photos.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((j) => j.photo_id).sort()).toEqual(expected);
    expect(jsonl.find((j) => j.photo_id === '1001')).toMatchObject({
      url_highres: rows[0].url_highres,
      date_upload: '2020-01-01T00:00:00Z',
      license: 9,
    });
    const csv = await query(
      `SELECT * FROM read_csv('${path.join(dir, 'photos.csv')}', header = true, all_varchar = true) ORDER BY photo_id`,
    );
    expect(csv.map((c) => c.photo_id)).toEqual(expected);
    expect(csv.find((c) => c.photo_id === '1002')!.title).toBe('Comma, "quote" and\nnewline');

    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      rowCount: expected.length,
      licenses: LICENSES,
      thresholds: { minResolution: 256 },
      photosConsidered: 14,
      excludedByReason: Object.fromEntries(Object.entries(seeded.excludedBy).map(([k, v]) => [k, v.length])),
      modelVersions: { resolution: ['res-1'], watermark: ['wm-1'], clip_nonphoto: ['clip-1'] },
      runIds: ['run-a', 'run-b', 'run-x'],
    });
    expect(manifest.columns.slice(0, 3)).toEqual(['url', 'url_highres', 'url_source']);
    expect(manifest.img2dataset).toContain('--input_format parquet --url_col url_highres');
    for (const f of manifest.files) {
      const hash = (await import('node:crypto')).createHash('sha256');
      for await (const c of createReadStream(path.join(dir, f.name))) hash.update(c as Buffer);
      expect(f.sha256).toBe(hash.digest('hex'));
    }
    const stored = await getExport(r.id);
    expect(stored).toMatchObject({ status: 'completed', rowCount: expected.length, directory: dir });
    expect(stored!.files.map((f) => f.name).sort()).toEqual(['photos.csv', 'photos.jsonl', 'photos.parquet']);
  });

  it('writes Megalith-10m’s three columns alone when asked, and an empty dataset as a valid file', async () => {
    const r = await runExport({
      formats: ['parquet'],
      licenses: LICENSES,
      outDir: path.join(out, 'megalith'),
      columns: 'megalith',
    });
    const schema = await query(
      `SELECT name FROM parquet_schema('${path.join(r.directory, 'photos.parquet')}') WHERE name <> 'duckdb_schema'`,
    );
    expect(schema.map((s) => s.name)).toEqual(['url', 'url_highres', 'url_source']);
    const empty = await runExport({ formats: ['parquet'], licenses: [1], outDir: path.join(out, 'empty') });
    expect(empty.rowCount).toBe(0);
    expect(
      await query(
        `SELECT count(*)::int AS n FROM read_parquet('${path.join(empty.directory, 'photos.parquet')}')`,
      ),
    ).toEqual([{ n: 0 }]);
  });
});
