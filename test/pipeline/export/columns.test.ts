// The staging line PostgreSQL builds for an export and the one JS builds are the same, byte for byte, tricky text included;
// descriptions become plain text.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import {
  STAGING_LINE_SQL,
  stagingLine,
  stagingTail,
  type ExportRow,
} from '../../../pipeline/export/columns.ts';
import { descriptionText } from '../../../pipeline/export/description.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const rows: ExportRow[] = [
  {
    id: '5001',
    owner: '12@N01',
    secret: 'abc',
    server: '65535',
    license: 9,
    title: 'Plain',
    tags: 'a b',
    width: 4000,
    height: 3000,
    dateUpload: 1_600_000_000,
    description: '',
  },
  {
    id: '5002',
    owner: '12@N01',
    secret: 'abc',
    server: '65535',
    license: 10,
    title: 'Comma, "quotes"\r\nand lines',
    tags: '',
    width: null,
    height: null,
    dateUpload: 1_600_000_001,
    description: 'Taken at <a href="https://x.example">the lake</a>,<br/>\n&quot;early&quot; &amp; cold',
  },
  {
    id: '5003',
    owner: '12@N01',
    secret: 'abc',
    server: '65535',
    license: 7,
    title: '',
    tags: 'ünïcödé ✓',
    width: 10,
    height: 20,
    dateUpload: 1_262_304_000,
    description: '<p>=SUM(1)</p>',
  },
];

beforeAll(async () => {
  await db().account.create({ data: { nsid: '12@N01' } });
  await db().photo.createMany({
    data: rows.map((r) => ({
      id: r.id,
      ownerNsid: r.owner,
      secret: r.secret,
      server: r.server,
      license: r.license,
      title: r.title,
      tags: r.tags,
      description: r.description,
      originalWidth: r.width,
      originalHeight: r.height,
      dateUpload: new Date(r.dateUpload * 1000),
    })),
  });
});

describe('staging lines', () => {
  it('are identical whether PostgreSQL or JS builds them', async () => {
    const sql = await db().$queryRawUnsafe<{ line: string; description: string }[]>(
      `SELECT ${STAGING_LINE_SQL} AS line, p.description FROM photos p ORDER BY p.id`,
    );
    expect(sql.map((r) => r.line + stagingTail(r.description))).toEqual(rows.map(stagingLine));
    expect(stagingLine(rows[1])).toBe(
      '5002,12@N01,abc,65535,10,"Comma, ""quotes""\r\nand lines","",,,1600000001,"Taken at the lake,\n""early"" & cold"\n',
    );
  });

  it('carry the description as plain text: tags stripped, breaks kept, entities decoded (also when encoded twice)', () => {
    expect(descriptionText('')).toBe('');
    expect(descriptionText('<b>Bold</b> and <i>italic</i><br>next line')).toBe('Bold and italic\nnext line');
    expect(descriptionText('caf&eacute; &amp;amp; cr&#232;me &#x263A; &lt;script&gt;')).toBe(
      'café & crème ☺ <script>',
    );
    expect(descriptionText('<p>one</p><p>two</p>\n\n\n\nthree')).toBe('one\ntwo\n\nthree');
    expect(descriptionText('Ｆｕｌｌ ﬁ')).toBe('Ｆｕｌｌ ﬁ');
  });
});
