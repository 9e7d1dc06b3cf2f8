// `quarry models check` on an empty CLIP_MODEL_DIR says where the demo's generated model is.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-models-'));
  Object.assign(process.env, { DATA_DIR: path.join(tmp, 'data'), CLIP_MODEL_DIR: path.join(tmp, 'empty') });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

it('points at the demo model when CLIP_MODEL_DIR holds none', async () => {
  const { runCli } = await import('../../../pipeline/cli/main.ts');
  let stderr = '';
  const spy = vi.spyOn(console, 'error').mockImplementation((t) => {
    stderr += `${t}\n`;
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const code = await runCli(['models', 'check']).finally(() => {
    spy.mockRestore();
    log.mockRestore();
  });
  process.exitCode = undefined;
  expect(code).toBe(1);
  const demo = path.join(tmp, 'data', 'models', 'clip-demo');
  expect(stderr).toContain(`Model directory ${path.join(tmp, 'empty')} is not usable`);
  expect(stderr).toContain(
    `The demo's model (a generated test model, not real CLIP) is generated into ${demo} by \`npm run demo\``,
  );
  expect(stderr).toContain(`models check --dir ${demo}`);
});
