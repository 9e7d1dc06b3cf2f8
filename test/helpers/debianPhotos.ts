// The photographs among the real-photo set's Debian packages (pipeline/devkit/quality/debianPhotos.ts fetches and caches
// them): the watermark bench needs camera photographs, not the renders and flat graphics some packages also carry.
import {
  defaultCacheDir,
  ensureDebianPackages,
  listSourcePhotos,
} from '../../pipeline/devkit/quality/debianPhotos.ts';

/** mate's nature set and gnome's wood; ukui-wallpapers' pictures are renders (checked by eye, 2026-12-05). */
const PHOTO = /\/backgrounds\/(mate\/nature\/[^/]+\.jpg|gnome\/wood-[ld]\.(webp|jpg))$/i;

/** Downloads and unpacks the packages once into the shared cache, then lists the photographs, sorted. */
export async function debianPhotos(cacheDir = defaultCacheDir()): Promise<string[]> {
  await ensureDebianPackages(cacheDir);
  return (await listSourcePhotos(cacheDir))
    .map((p) => p.file)
    .filter((f) => PHOTO.test(f))
    .sort();
}
