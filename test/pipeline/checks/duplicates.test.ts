import { describe, expect, it } from 'vitest';
import { clusterDuplicates, type DedupColumns } from '../../../pipeline/checks/duplicates.ts';

type Row = { id: string; hash: [number, number]; pixels: number; uploaded: number; content?: number };

function columns(rows: Row[]): DedupColumns {
  return {
    count: rows.length,
    ids: rows.map((r) => r.id),
    hi: Uint32Array.from(rows.map((r) => r.hash[0])),
    lo: Uint32Array.from(rows.map((r) => r.hash[1])),
    pixels: Float64Array.from(rows.map((r) => r.pixels)),
    uploaded: Float64Array.from(rows.map((r) => r.uploaded)),
    content: Uint32Array.from(rows.flatMap((r, i) => [r.content ?? 1000 + i, 0])),
  };
}

describe('duplicate clustering', () => {
  const rows: Row[] = [
    { id: '10', hash: [0xf0f0f0f0, 0x0f0f0f0f], pixels: 1000, uploaded: 5 },
    { id: '11', hash: [0xf0f0f0f0, 0x0f0f0f0f], pixels: 1000, uploaded: 3, content: 7 }, // exact copy, earlier upload
    { id: '12', hash: [0xf0f0f0f3, 0x0f0f0f0f], pixels: 4000, uploaded: 9 }, // 2 bits away, bigger original
    { id: '13', hash: [0x12345678, 0x9abcdef0], pixels: 500, uploaded: 1 },
    { id: '14', hash: [0x12345678, 0x9abcdef0 ^ 0xff], pixels: 500, uploaded: 2 }, // 8 bits away: not near
    { id: '15', hash: [0xaaaaaaaa, 0x55555555], pixels: 100, uploaded: 1, content: 7 },
    { id: '16', hash: [0xaaaaaaaa, 0x55555555], pixels: 100, uploaded: 1, content: 7 },
  ];

  it('groups near and exact copies and keeps the largest original as canonical', () => {
    const { clusters } = clusterDuplicates(columns(rows), { radius: 6 });
    const byCanonical = new Map(
      clusters.map((c) => [
        rows[c.canonical].id,
        c.members.map((m) => [rows[m.index].id, m.kind, m.distance]),
      ]),
    );
    expect(byCanonical.get('12')?.sort()).toEqual([
      ['10', 'near', 2],
      ['11', 'near', 2],
    ]);
    // Equal size and upload time: the smaller id wins; identical bytes are reported as exact.
    expect(byCanonical.get('15')).toEqual([['16', 'exact', 0]]);
    expect(byCanonical.has('13') || byCanonical.has('14')).toBe(false);
  });

  it('prefers the earlier upload among equal sizes', () => {
    const { clusters } = clusterDuplicates(columns(rows.slice(0, 2)), { radius: 6 });
    expect(rows[clusters[0].canonical].id).toBe('11');
  });

  it('merges extra CLIP pairs into clusters, across accounts, marking them as clip', () => {
    const { clusters } = clusterDuplicates(columns(rows), {
      radius: 6,
      extraPairs: [
        { a: '13', b: '14' },
        { a: '14', b: '12' },
      ],
    });
    expect(clusters).toHaveLength(2);
    const big = clusters.find((c) => rows[c.canonical].id === '12')!;
    expect(big.members.map((m) => [rows[m.index].id, m.kind]).sort()).toEqual([
      ['10', 'near'],
      ['11', 'near'],
      ['13', 'clip'],
      ['14', 'clip'],
    ]);
  });
});
