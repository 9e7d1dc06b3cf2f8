import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imagePath, readImage, thumbPath, writeImage } from '../../../pipeline/fetch/imageStore.ts';

const key = 'ab'.repeat(32);
let dir = '';
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('image store', () => {
  it('accepts only 64-hex keys, so no key can name a path outside the store', () => {
    for (const bad of [
      '../../etc/passwd',
      `${key.slice(0, 63)}/`,
      key.toUpperCase(),
      `${key}a`,
      '',
      `..${key.slice(2)}`,
    ]) {
      expect(() => imagePath('thumbs', bad, '/data')).toThrow(/invalid image key/);
    }
    expect(thumbPath(key, '/data')).toBe(path.resolve('/data/images/thumbs/ab', `${key}.webp`));
  });

  it('writes atomically: the final file appears complete and no temporary file is left', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-store-'));
    await writeImage('clip', key, Buffer.from('webp bytes'), dir);
    expect((await readImage('clip', key, dir))?.toString()).toBe('webp bytes');
    expect(await readdir(path.join(dir, 'images/clip/ab'))).toEqual([`${key}.webp`]);
    expect(await readImage('thumbs', key, dir)).toBeNull();
  });
});
