import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { exportRoot, resolveExportDirectory } from '../../../lib/exportPaths.ts';
import { completeExport, createExport, setExportDirectory } from '../../../lib/queries/exports.ts';
import { backup } from '../../../pipeline/backup/backup.ts';
import { restore } from '../../../pipeline/backup/restore.ts';
import { createDatabase, dropDatabase, useTestDatabase } from '../../helpers/db.ts';

const source = useTestDatabase();
const restoredName = `t_restore_${Date.now()}`;
const tmp: string[] = [];

afterAll(async () => {
  await dropDatabase(inject('pgAdminUrl'), restoredName);
  await Promise.all(tmp.map((d) => rm(d, { recursive: true, force: true })));
});

async function seed() {
  const p = db();
  const u = await p.user.create({
    data: { email: 'r@x.io', name: 'R', passwordHash: 'h', role: 'reviewer' },
  });
  await p.account.create({ data: { nsid: '1@N01', username: 'one', photoCount: 2, rank: 1 } });
  await p.account.create({
    data: { nsid: '2@N02', username: 'two, "quoted"\nname', photoCount: 1, rank: 2 },
  });
  for (const [id, owner] of [
    ['100', '1@N01'],
    ['101', '1@N01'],
    ['200', '2@N02'],
  ]) {
    await p.photo.create({
      data: {
        id,
        ownerNsid: owner,
        secret: 's',
        server: '65535',
        license: 9,
        dateUpload: new Date('2020-01-01T00:00:00Z'),
        description: 'HTML <a href="x">link</a> &amp; ünïcödé',
        sizes: { b: [1024, 768] },
        phash: -1234567890123n,
      },
    });
  }
  await p.checkResult.create({
    data: {
      photoId: '100',
      check: 'copyright_text',
      verdict: 'fail',
      score: 1,
      details: { phrase: 'All rights reserved' },
      version: 'v1',
    },
  });
  await p.override.create({
    data: {
      userId: u.id,
      photoId: '100',
      check: 'copyright_text',
      oldVerdict: 'fail',
      newVerdict: 'pass',
      reason: 'decoy',
    },
  });
  const d1 = await p.accountDecision.create({
    data: {
      accountNsid: '1@N01',
      userId: u.id,
      decision: 'reject',
      reason: 'watermarks',
      requestId: 'req-1',
    },
  });
  await p.accountDecision.create({
    data: { accountNsid: '1@N01', userId: u.id, decision: 'undo', undoesId: d1.id, requestId: 'req-2' },
  });
  await p.accountDecision.create({
    data: { accountNsid: '2@N02', userId: u.id, decision: 'approve', requestId: 'req-3' },
  });
  const sc = await p.spotCheck.create({
    data: { name: 'first', population: 'included', size: 2, seed: 's', populationSize: 3 },
  });
  await p.spotCheckItem.createMany({
    data: [
      { spotCheckId: sc.id, photoId: '100', position: 0 },
      { spotCheckId: sc.id, photoId: '200', position: 1 },
    ],
  });
  await p.spotCheckLabel.create({
    data: { spotCheckId: sc.id, photoId: '100', userId: u.id, labels: ['fine'] },
  });
  await p.spotCheckLabel.create({
    data: { spotCheckId: sc.id, photoId: '200', userId: u.id, labels: ['non_photo', 'minor_edits'] },
  });
  return u.id;
}

async function dumpAll(url: string): Promise<Record<string, unknown[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const tables = (
      await c.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema='public' AND table_type='BASE TABLE' AND table_name <> '_prisma_migrations'`,
      )
    ).rows.map((r) => r.table_name as string);
    const out: Record<string, unknown[]> = {};
    for (const t of tables.sort())
      out[t] = (await c.query(`SELECT to_jsonb(x) AS row FROM "${t}" x ORDER BY 1`)).rows
        .map((r) => r.row)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return out;
  } finally {
    await c.end();
  }
}

describe('backup and restore', () => {
  it('restores every decision, override and label into a fresh database, with the images', async () => {
    const userId = await seed();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bk-'));
    const restoredDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-rs-'));
    tmp.push(dataDir, restoredDir);
    const thumb = path.join(dataDir, 'images', 'thumbs', 'ab', `ab${'0'.repeat(62)}.webp`);
    await mkdir(path.dirname(thumb), { recursive: true });
    await writeFile(thumb, 'webp-bytes');

    const out = path.join(dataDir, 'backup');
    const manifest = await backup({ url: source.url(), dataDir, out });
    expect(manifest.tables.find((t) => t.name === 'account_decisions')?.rows).toBe(3);
    await expect(backup({ url: source.url(), dataDir, out })).rejects.toThrow(/already exists/);

    const target = await createDatabase(inject('pgAdminUrl'), restoredName);
    const result = await restore({ url: target, dataDir: restoredDir, from: out });
    expect(result.rows).toBe(manifest.tables.reduce((s, t) => s + t.rows, 0));
    expect(await dumpAll(target)).toEqual(await dumpAll(source.url()));
    expect(
      await readFile(path.join(restoredDir, 'images', 'thumbs', 'ab', `ab${'0'.repeat(62)}.webp`), 'utf8'),
    ).toBe('webp-bytes');

    // New decisions after a restore get fresh ids (sequences continue).
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    const ins = await c.query(
      `INSERT INTO account_decisions (account_nsid, user_id, decision) VALUES ('2@N02', $1, 'reject') RETURNING id`,
      [userId],
    );
    expect(Number(ins.rows[0].id)).toBeGreaterThan(3);
    await c.end();

    // Restoring twice is refused rather than mixing data.
    await expect(restore({ url: target, dataDir: restoredDir, from: out })).rejects.toThrow(/has data/);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);
  });
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [dir];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(...(e.isDirectory() ? await walk(p) : [p]));
  }
  return out;
}

describe('a backup as an operator gets it', () => {
  it('is private (0700 folders, 0600 files, whatever the umask) and carries export files, found again after a restore elsewhere', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bk-exp-'));
    const restoredDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-rs-exp-'));
    tmp.push(dataDir, restoredDir);
    const savedDataDir = process.env.DATA_DIR;
    process.env.DATA_DIR = dataDir;
    const savedUmask = process.umask(0);
    const targetName = `${restoredName}_exp`;
    try {
      await db().user.create({
        data: { email: 'ops@x.io', name: 'Ops', passwordHash: 'argon2-hash', role: 'admin' },
      });
      // One export with its files in the export root, one whose folder has since been deleted.
      const kept = await createExport({ formats: ['csv'], config: {} });
      await mkdir(path.join(exportRoot(), kept), { recursive: true });
      await writeFile(path.join(exportRoot(), kept, 'photos.csv'), 'id\n1\n');
      await setExportDirectory(kept, path.join(exportRoot(), kept));
      await completeExport(kept, { rowCount: 1, files: [], manifest: {} });
      const gone = await createExport({ formats: ['csv'], config: {} });
      await setExportDirectory(gone, path.join(exportRoot(), gone));
      await completeExport(gone, { rowCount: 0, files: [], manifest: {} });
      // Stored relative to the export root, not as this machine's absolute path.
      expect((await db().export.findUniqueOrThrow({ where: { id: kept } })).directory).toBe(kept);

      const out = path.join(dataDir, 'backups', 'b1');
      const manifest = await backup({ url: source.url(), dataDir, out });
      expect(manifest.exports).toEqual([kept]);
      for (const p of await walk(out)) {
        const mode = statSync(p).mode & 0o777;
        expect([p, mode.toString(8)]).toEqual([p, statSync(p).isDirectory() ? '700' : '600']);
      }
      expect(existsSync(path.join(out, 'db', 'users.csv.gz'))).toBe(true);
      expect(await readFile(path.join(out, 'exports', kept, 'photos.csv'), 'utf8')).toBe('id\n1\n');

      // Restored into another data folder: the export's files are there and its row finds them.
      const target = await createDatabase(inject('pgAdminUrl'), targetName);
      await restore({ url: target, dataDir: restoredDir, from: out });
      const c = new pg.Client({ connectionString: target });
      await c.connect();
      const rows = (
        await c.query<{ id: string; directory: string | null }>(
          'SELECT id, directory FROM exports ORDER BY id',
        )
      ).rows;
      await c.end();
      const byId = new Map(rows.map((r) => [r.id, r.directory]));
      expect(byId.get(kept)).toBe(kept);
      expect(byId.get(gone)).toBeNull();
      const folder = resolveExportDirectory(byId.get(kept)!, exportRoot(restoredDir));
      expect(folder.startsWith(restoredDir)).toBe(true);
      expect(await readFile(path.join(folder, 'photos.csv'), 'utf8')).toBe('id\n1\n');
    } finally {
      process.umask(savedUmask);
      if (savedDataDir === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = savedDataDir;
      await dropDatabase(inject('pgAdminUrl'), targetName);
    }
  });
});
