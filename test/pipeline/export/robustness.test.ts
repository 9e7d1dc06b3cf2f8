// Exports that cannot be written fail at once and are recorded failed; exports a dead process left running are
// repaired at start-up; an export that would be partial needs --allow-partial (CLI) or allowPartial (API).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '../../../lib/db.ts';
import {
  createExport,
  exportReadiness,
  getExport,
  partialExportReason,
  repairStaleExports,
  STALE_EXPORT_ERROR,
} from '../../../lib/queries/exports.ts';
import { runCli } from '../../../pipeline/cli/main.ts';
import { runExport } from '../../../pipeline/export/export.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { seedInclusionStates } from './seedPhotos.ts';

const database = useTestDatabase();
let tmp: string;

beforeAll(async () => {
  await seedInclusionStates();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-export-robust-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function newestExport() {
  const e = await db().export.findFirst({ orderBy: { createdAt: 'desc' } });
  return e && getExport(e.id);
}

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  // The command itself prints through console (progress, refusals); the dispatcher through these callbacks.
  const log = vi.spyOn(console, 'log').mockImplementation((t) => {
    stdout += `${t}\n`;
  });
  const error = vi.spyOn(console, 'error').mockImplementation((t) => {
    stderr += `${t}\n`;
  });
  const code = await runCli(args, {
    out: (t) => {
      stdout += `${t}\n`;
    },
    err: (t) => {
      stderr += `${t}\n`;
    },
  }).finally(() => {
    log.mockRestore();
    error.mockRestore();
  });
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

describe('an export folder that cannot be written', () => {
  // /proc refuses new entries with ENOENT although the parent exists: Node's recursive mkdir spun on it forever.
  for (const [label, out] of [
    ['a folder under /proc', '/proc/nope/deeper'],
    ['a path through a file', 'FILE/sub'],
  ] as const) {
    it(`fails at once and is recorded failed with its error: ${label}`, async () => {
      const target = out.startsWith('FILE') ? path.join(tmp, 'a-file', 'sub') : out;
      if (out.startsWith('FILE')) await writeFile(path.join(tmp, 'a-file'), 'x');
      const started = Date.now();
      await expect(runExport({ formats: ['csv'], licenses: [9], outDir: target })).rejects.toThrow(
        /export folder/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const e = await newestExport();
      expect(e?.status).toBe('failed');
      expect(e?.error).toMatch(/cannot (create|use|write to) .*export folder/);
      expect(e?.finishedAt).not.toBeNull();
    });
  }

  it('is refused by `quarry export --out` before anything starts', async () => {
    const before = await db().export.count();
    const started = Date.now();
    const r = await cli(['export', '--out', '/proc/nope', '--allow-partial']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Error: cannot create the export folder \/proc\/nope: /),
    ]);
    expect(await db().export.count()).toBe(before);
  });
});

describe('exports left running', () => {
  it('are marked failed when their process is gone, and left alone while it is alive', async () => {
    const dead = await createExport({ id: 'deadexport000000000000001', formats: ['csv'], config: {} });
    const alive = 'liveexport000000000000001';
    // The live export's writer holds its named connection, as runExport's snapshot does.
    const client = new pg.Client({
      connectionString: database.url(),
      application_name: `quarry-export:${alive}`,
    });
    await client.connect();
    try {
      await createExport({ id: alive, formats: ['csv'], config: {} });
      expect(await repairStaleExports()).toBe(1);
      expect(await getExport(dead)).toMatchObject({ status: 'failed', error: STALE_EXPORT_ERROR });
      expect((await getExport(alive))?.status).toBe('running');
    } finally {
      await client.end();
    }
    // Its process died (connection gone): the next start-up repairs it too.
    await expect
      .poll(
        async () => {
          await repairStaleExports();
          return (await getExport(alive))?.status;
        },
        { timeout: 10_000 },
      )
      .toBe('failed');
  });
});

describe('an export that would be partial', () => {
  it('says why: unfetched photos, and active runs', async () => {
    const r = await exportReadiness([7, 8, 9, 10]);
    expect(r.unfetched).toBe(1); // photo 1006 of the seed
    expect(partialExportReason(r)).toBe('The export would be partial: 1 photo is not fetched yet.');
    await db().pipelineRun.create({
      data: { id: 'activerun1', stages: ['analyze'], config: {}, status: 'running' },
    });
    expect(partialExportReason(await exportReadiness([7, 8, 9, 10]))).toBe(
      'The export would be partial: run activerun1 is still running and 1 photo is not fetched yet.',
    );
    expect((await exportReadiness([7, 8, 9, 10], 'activerun1')).activeRuns).toEqual([]);
    await db().pipelineRun.update({ where: { id: 'activerun1' }, data: { status: 'completed' } });
    expect(partialExportReason(await exportReadiness([4]))).toBeNull();
  });

  it('is refused by the CLI without --allow-partial, and written with it', async () => {
    const before = await db().export.count();
    const out = path.join(tmp, 'partial');
    const refused = await cli(['export', '--format', 'csv', '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /The export would be partial: 1 photo is not fetched yet\. .*--allow-partial/,
    );
    expect(await db().export.count()).toBe(before);
    const allowed = await cli(['export', '--format', 'csv', '--out', out, '--allow-partial']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await readdir(out)).toEqual(expect.arrayContaining(['photos.csv', 'manifest.json']));
    expect((await newestExport())?.status).toBe('completed');
  });
});
