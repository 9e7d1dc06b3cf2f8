// Real photographs nobody here made, from Debian's wallpaper packages: fetched with `apt-get download` and unpacked
// with `dpkg -x` into a cache at test/bench time (never committed, never fetched by the product).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Only packages from this list (other wallpaper packages are kept for independent checks). ukui-wallpapers is
 * allowed too, but its pictures are renders and flat graphics (checked by eye, 2026-12-05), so it is not fetched.
 */
export const PHOTO_PACKAGES = ['mate-backgrounds', 'gnome-backgrounds'] as const;

/** The photographs among their files: mate's nature set and gnome's wood; abstract and flat graphics are left out. */
const PHOTO = /\/backgrounds\/(mate\/nature\/[^/]+\.jpg|gnome\/wood-[ld]\.(webp|jpg))$/i;

export function cacheDir(): string {
  return process.env.QUARRY_REAL_PHOTOS ?? path.join(os.homedir(), '.cache', 'quarry', 'debian-photos');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Downloads and unpacks the packages once (a marker file per package), then lists the photographs, sorted. */
export function debianPhotos(): string[] {
  const root = cacheDir();
  for (const pkg of PHOTO_PACKAGES) {
    const dir = path.join(root, pkg);
    if (existsSync(path.join(dir, '.unpacked'))) continue;
    mkdirSync(dir, { recursive: true });
    execFileSync('apt-get', ['download', pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const deb = readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
    execFileSync('dpkg', ['-x', deb, 'root'], { cwd: dir });
    execFileSync('touch', ['.unpacked'], { cwd: dir });
  }
  return PHOTO_PACKAGES.flatMap((pkg) => walk(path.join(root, pkg, 'root')))
    .filter((f) => PHOTO.test(f) && statSync(f).size > 50_000)
    .sort();
}
