// `npm run quarry -- quality [--seed S] [--photos N]`: precision and recall of each analyze check on a generated universe;
// `quality --real [--set tuning|confirmation] [--per-package N]`: duplicate detection on real photographs from Debian packages.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { disconnectDb } from '../../../lib/db.ts';
import { databaseUrl } from '../../../lib/env.ts';
import { migrate } from '../../../lib/server/migrate.ts';
import { settings } from '../../../lib/settings.ts';
import { explainMisses, formatQuality, qualityReport } from '../../devkit/quality/analyze.ts';
import { runToEnd } from '../../runs/runToEnd.ts';
import { startFlickrSimulator } from '../../devkit/simulator/server.ts';
import { generateUniverse } from '../../devkit/universe/generate.ts';
import { runRealQuality } from '../../devkit/quality/realCommand.ts';
import { createProgress } from '../progress.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const flags = {
  seed: flag.string('seed of the generated universe (same seed, same photos)', { default: 'quality' }),
  photos: flag.int('photos in the generated universe', { min: 20, max: 100_000, default: 800 }),
  verbose: flag.switch('also explain each miss'),
  real: flag.switch(
    'instead: duplicate recall per variant kind and precision on real photographs (Debian packages via apt-get download; no database)',
  ),
  set: flag.choice('with --real: only this set', ['tuning', 'confirmation'] as const, {
    defaultText: 'both',
  }),
  'per-package': flag.int('with --real: source photos per package', {
    min: 1,
    max: 1000,
    defaultText: 'all',
  }),
  'cache-dir': flag.string('with --real: where packages and variants are cached', {
    value: 'DIR',
    defaultText: 'QUARRY_REAL_CACHE, ~/.cache/quarry',
  }),
};

export const spec: CommandSpec = {
  name: 'quality',
  summary:
    'measure precision and recall of each analyze check on a generated universe (temporary database; your data is untouched)',
  flags,
};

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs in a temporary database and data directory on the configured server, so the real dataset is untouched. */
export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  if (opts.real) {
    return runRealQuality({
      set: opts.set,
      perPackage: opts['per-package'],
      cacheDir: opts['cache-dir'],
      verbose: opts.verbose,
    });
  }
  await withDatabase(async () => {
    const mainUrl = databaseUrl();
    const name = `quarry_quality_${randomBytes(4).toString('hex')}`;
    const tempUrl = Object.assign(new URL(mainUrl), { pathname: `/${name}` }).toString();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-quality-'));
    await admin(mainUrl, `CREATE DATABASE "${name}"`);
    const start = new Date('2015-01-01T00:00:00Z');
    const end = new Date('2023-01-01T00:00:00Z');
    const universe = generateUniverse({ seed: opts.seed, photos: opts.photos, start, end });
    const sim = await startFlickrSimulator({ universe });
    const saved = { ...settings };
    const savedDataDir = process.env.DATA_DIR;
    try {
      await migrate(tempUrl);
      await disconnectDb();
      process.env.DATABASE_URL = tempUrl;
      // The run's stages read these settings: the simulator stands in for Flickr and its image host.
      Object.assign(settings, {
        FLICKR_API_KEY: 'quality',
        FLICKR_API_BASE: sim.apiBase,
        FLICKR_RATE_LIMIT: 1e9,
        IMAGE_HOSTS: [sim.imageHost],
      });
      process.env.DATA_DIR = dir;
      console.error(
        `universe "${opts.seed}": ${universe.photos.length} photos; ingesting from the simulator and analyzing…`,
      );
      const bars = new Map<string, ReturnType<typeof createProgress>>();
      const finished = new Set<string>();
      const r = await runToEnd(
        {
          stages: ['ingest', 'analyze'],
          from: start.toISOString().slice(0, 10),
          to: new Date(end.getTime() - 1000).toISOString().slice(0, 10),
        },
        {
          onProgress: (run) => {
            for (const st of run.stages.filter((x) => x.status !== 'pending' && !finished.has(x.stage))) {
              if (!bars.has(st.stage))
                bars.set(st.stage, createProgress(st.stage, st.stage === 'ingest' ? 'windows' : 'photos'));
              const p = { done: st.done, total: st.total, failed: st.failed };
              if (st.status === 'active') bars.get(st.stage)!.update(p);
              else {
                bars.get(st.stage)!.done(p);
                finished.add(st.stage);
              }
            }
          },
        },
      );
      if (r.status !== 'completed')
        throw new Error(
          `the quality run ${r.status}: ${
            r.error ??
            r.stages
              .map((st) => st.lastError)
              .filter(Boolean)
              .join('; ')
          }`,
        );
      const report = await qualityReport(universe.groundTruth);
      console.log(formatQuality(report));
      if (opts.verbose) for (const line of await explainMisses(report)) console.log(line);
    } finally {
      Object.assign(settings, saved);
      if (savedDataDir === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = savedDataDir;
      await disconnectDb();
      process.env.DATABASE_URL = mainUrl;
      await sim.close();
      await admin(mainUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
}
