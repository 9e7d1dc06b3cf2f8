// The staging line PostgreSQL builds for an export and the one JS builds are the same, byte for byte, tricky text included.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { STAGING_LINE_SQL, stagingLine, type ExportRow } from '../../../pipeline/export/columns.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const rows: ExportRow[] = [
  { id: '5001', owner: '12@N01', secret: 'abc', server: '65535', license: 9, title: 'Plain', tags: 'a b', width: 4000, height: 3000, dateUpload: 1_600_000_000 },
  { id: '5002', owner: '12@N01', secret: 'abc', server: '65535', license: 10, title: 'Comma, "quotes"\r\nand lines', tags: '', width: null, height: null, dateUpload: 1_600_000_001 },
  { id: '5003', owner: '12@N01', secret: 'abc', server: '65535', license: 7, title: '', tags: 'ünïcödé ✓', width: 10, height: 20, dateUpload: 1_262_304_000 },
];

beforeAll(async () => {
  await db().account.create({ data: { nsid: '12@N01' } });
  await db().photo.createMany({ data: rows.map((r) => ({
    id: r.id, ownerNsid: r.owner, secret: r.secret, server: r.server, license: r.license, title: r.title, tags: r.tags,
    originalWidth: r.width, originalHeight: r.height, dateUpload: new Date(r.dateUpload * 1000),
  })) });
});

describe('staging lines', () => {
  it('are identical whether PostgreSQL or JS builds them', async () => {
    const sql = await db().$queryRawUnsafe<{ line: string }[]>(`SELECT ${STAGING_LINE_SQL} AS line FROM photos p ORDER BY p.id`);
    expect(sql.map((r) => r.line)).toEqual(rows.map(stagingLine));
    expect(stagingLine(rows[1])).toBe('5002,12@N01,abc,65535,10,"Comma, ""quotes""\r\nand lines","",,,1600000001\n');
  });
});
