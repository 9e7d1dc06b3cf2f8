// Real photographs for measuring the checks: extracted from Debian packages into a cache at evaluation time, never shipped or fetched by the product.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type PhotoSet = 'tuning' | 'confirmation';

/**
 * The packages the real set is built from, split by package so thresholds tuned on one half are confirmed on
 * photographs they never saw. Other Debian wallpaper packages are kept out on purpose: they serve
 * independent checks. python3-skimage carries scikit-image's sample photographs (astronaut, coffee, …).
 */
export const DEBIAN_SOURCES: readonly { pkg: string; set: PhotoSet }[] = [
  { pkg: 'mate-backgrounds', set: 'tuning' },
  { pkg: 'python3-skimage', set: 'tuning' },
  { pkg: 'gnome-backgrounds', set: 'confirmation' },
  { pkg: 'ukui-wallpapers', set: 'confirmation' },
];

/** scikit-image's data folder also holds masks, charts and test patterns: only its photographs are taken. */
const SKIMAGE_PHOTOS = new Set([
  'astronaut',
  'camera',
  'chelsea',
  'coffee',
  'rocket',
  'motorcycle_left',
  'hubble_deep_field',
  'coins',
  'moon',
  'grass',
  'gravel',
  'brick',
  'retina',
  'ihc',
  'cell',
  'clock_motion',
]);

export type SourcePhoto = { pkg: string; set: PhotoSet; file: string; name: string };

export function defaultCacheDir(): string {
  return process.env.QUARRY_REAL_CACHE ?? path.join(os.homedir(), '.cache', 'quarry', 'debian-photos');
}

/**
 * Downloads (apt-get download) and unpacks (dpkg -x) each package once into `cacheDir`. Fails with one line
 * naming the package when apt cannot fetch it: without the photographs there is nothing to measure.
 */
export async function ensureDebianPackages(cacheDir = defaultCacheDir()): Promise<void> {
  for (const { pkg } of DEBIAN_SOURCES) {
    const root = path.join(cacheDir, pkg);
    if (existsSync(path.join(root, '.extracted'))) continue;
    const dl = path.join(cacheDir, 'debs', pkg);
    await rm(root, { recursive: true, force: true });
    await rm(dl, { recursive: true, force: true });
    await mkdir(dl, { recursive: true });
    try {
      await run('apt-get', ['download', pkg], { cwd: dl, maxBuffer: 1 << 24 });
      const deb = (await readdir(dl)).find((f) => f.endsWith('.deb'));
      if (!deb) throw new Error('no .deb was written');
      await run('dpkg', ['-x', path.join(dl, deb), root]);
    } catch (e) {
      const detail =
        e instanceof Error
          ? ('stderr' in e && String(e.stderr).trim().split('\n').pop()) || e.message
          : String(e);
      throw new Error(
        `real-photo set: could not fetch Debian package ${pkg} with apt-get download + dpkg -x (${detail}); it needs apt access to Debian (run apt-get update first)`,
      );
    }
    await writeFile(path.join(root, '.extracted'), new Date().toISOString());
    await rm(dl, { recursive: true, force: true });
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * One name per picture: packages ship the same picture at several sizes (Elephants_3840x2160) or recoloured
 * (adwaita-l / adwaita-d, Ubuntu-Mate-Warm / -Cold). Those are neither independent photos nor planted copies,
 * so only the first of each family is used.
 */
export function pictureFamily(name: string): string {
  return name
    .replace(/_\d+x\d+$/, '')
    .replace(/-[ld]$/, '')
    .replace(/-(Light|Dark)$/i, '')
    .replace(/^Ubuntu-Mate-\w+-no-logo$/, 'Ubuntu-Mate-no-logo');
}

/** The source photographs in the cache (extract first), sorted by package and name. */
export async function listSourcePhotos(cacheDir = defaultCacheDir()): Promise<SourcePhoto[]> {
  const out: SourcePhoto[] = [];
  for (const { pkg, set } of DEBIAN_SOURCES) {
    const files = (await walk(path.join(cacheDir, pkg))).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
    const families = new Set<string>();
    for (const file of files) {
      const name = path.basename(file).replace(/\.[^.]+$/, '');
      if (
        pkg === 'python3-skimage'
          ? !(file.includes('/skimage/data/') && SKIMAGE_PHOTOS.has(name))
          : !file.includes('/backgrounds/')
      )
        continue;
      if ((await stat(file)).size < 20_000) continue;
      const family = pictureFamily(name);
      if (families.has(family)) continue;
      families.add(family);
      out.push({ pkg, set, file, name });
    }
  }
  return out;
}
