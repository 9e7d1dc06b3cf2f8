// Photos in every inclusion state, for the export and inclusion tests.
import { db } from '../../../lib/db.ts';

export type Seeded = { included: string[]; excludedBy: Record<string, string[]> };

type P = {
  id: string;
  owner: string;
  license?: number;
  availability?: 'unknown' | 'available' | 'unavailable' | 'error';
  title?: string;
  duplicateOf?: string;
};

export async function seedInclusionStates(): Promise<Seeded> {
  const user = await db().user.create({
    data: { email: `r${Date.now()}@t.test`, name: 'R', passwordHash: 'x', role: 'reviewer' },
  });
  await db().account.createMany({
    data: [
      { nsid: '1@N01', username: 'alice' },
      { nsid: '2@N02', username: 'bob', reviewStatus: 'rejected' },
      { nsid: '3@N03', username: 'carol', reviewStatus: 'approved' },
    ],
  });
  const photos: P[] = [
    { id: '1001', owner: '1@N01', title: 'Plain' },
    { id: '1002', owner: '1@N01', title: 'Comma, "quote" and\nnewline' },
    { id: '1003', owner: '3@N03', title: '' },
    { id: '1004', owner: '1@N01', license: 4 },
    { id: '1005', owner: '1@N01', availability: 'unavailable' },
    { id: '1006', owner: '1@N01', availability: 'unknown' },
    { id: '1007', owner: '1@N01', availability: 'error' },
    { id: '1008', owner: '2@N02' },
    { id: '1009', owner: '1@N01' }, // resolution fail
    { id: '1010', owner: '1@N01' }, // watermark fail overridden to pass
    { id: '1011', owner: '1@N01' }, // clip pass overridden to fail
    { id: '1012', owner: '1@N01', duplicateOf: '1001' }, // duplicate without a check row yet
    { id: '1013', owner: '1@N01', duplicateOf: '1001' }, // duplicate overridden to pass
    { id: '1014', owner: '3@N03' }, // uncertain verdicts do not exclude
  ];
  await db().photo.createMany({
    data: photos.map((p, i) => ({
      id: p.id,
      ownerNsid: p.owner,
      secret: `s${p.id}`,
      server: '65535',
      farm: 66,
      title: p.title ?? `Photo ${p.id}`,
      tags: i % 2 ? 'lake tree' : '',
      license: p.license ?? 9,
      dateUpload: new Date(Date.UTC(2020, 0, 1 + i)),
      availability: p.availability ?? 'available',
      originalWidth: 2000 + i,
      originalHeight: 1500,
      duplicateOfId: p.duplicateOf ?? null,
    })),
  });
  await db().checkResult.createMany({
    data: [
      { photoId: '1009', check: 'resolution', verdict: 'fail', score: 100, version: 'res-1' },
      { photoId: '1010', check: 'watermark', verdict: 'fail', score: 0.9, version: 'wm-1', runId: 'run-a' },
      {
        photoId: '1011',
        check: 'clip_nonphoto',
        verdict: 'pass',
        score: 0.1,
        version: 'clip-1',
        runId: 'run-b',
      },
      { photoId: '1014', check: 'clip_nonphoto', verdict: 'uncertain', score: 0.6, version: 'clip-1' },
      { photoId: '1001', check: 'resolution', verdict: 'pass', score: 2000, version: 'res-1' },
    ],
  });
  await db().override.createMany({
    data: [
      {
        userId: user.id,
        photoId: '1010',
        check: 'watermark',
        oldVerdict: 'pass',
        newVerdict: 'fail',
        createdAt: new Date('2024-01-01'),
      },
      {
        userId: user.id,
        photoId: '1010',
        check: 'watermark',
        oldVerdict: 'fail',
        newVerdict: 'pass',
        createdAt: new Date('2024-02-01'),
      },
      { userId: user.id, photoId: '1011', check: 'clip_nonphoto', oldVerdict: 'pass', newVerdict: 'fail' },
      { userId: user.id, photoId: '1013', check: 'duplicate', oldVerdict: 'fail', newVerdict: 'pass' },
    ],
  });
  return {
    included: ['1001', '1002', '1003', '1010', '1013', '1014'],
    excludedBy: {
      license: ['1004'],
      unavailable: ['1005'],
      not_fetched: ['1006'],
      fetch_error: ['1007'],
      account_rejected: ['1008'],
      'check:resolution': ['1009'],
      'check:clip_nonphoto': ['1011'],
      'check:duplicate': ['1012'],
    },
  };
}
