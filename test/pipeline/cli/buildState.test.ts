// `npm start` after a `git pull` must not serve the old build: the build is stale once any source is newer.
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildState } from '../../../pipeline/cli/serveApp.ts';

let root: string;
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'quarry-build-'));
  await mkdir(path.join(root, 'app', 'deep', 'er'), { recursive: true });
  await mkdir(path.join(root, 'app', 'node_modules'), { recursive: true });
  await writeFile(path.join(root, 'app', 'deep', 'er', 'page.tsx'), 'x');
  await writeFile(path.join(root, 'app', 'node_modules', 'ignored.js'), 'x');
  await writeFile(path.join(root, 'proxy.ts'), 'x');
  await utimes(path.join(root, 'app', 'deep', 'er', 'page.tsx'), at(10), at(10));
  await utimes(path.join(root, 'app', 'node_modules', 'ignored.js'), at(99), at(99));
  await utimes(path.join(root, 'proxy.ts'), at(10), at(10));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the production build', () => {
  const sources = ['app', 'proxy.ts', 'missing-folder'];

  it('is missing before the first build', () => {
    expect(buildState(root, sources)).toBe('missing');
  });

  it('is current when built after every source (node_modules inside a source folder does not count)', async () => {
    await mkdir(path.join(root, '.next'), { recursive: true });
    await writeFile(path.join(root, '.next', 'BUILD_ID'), 'b');
    await utimes(path.join(root, '.next', 'BUILD_ID'), at(20), at(20));
    expect(buildState(root, sources)).toBe('current');
  });

  it('is stale once a file deep in a source folder changes after it', async () => {
    await utimes(path.join(root, 'app', 'deep', 'er', 'page.tsx'), at(30), at(30));
    expect(buildState(root, sources)).toBe('stale');
  });
});
