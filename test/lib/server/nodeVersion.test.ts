import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { nodeVersionProblem } from '../../../lib/server/nodeVersion.ts';

const repo = path.resolve(import.meta.dirname, '../../..');

// The machine's own node, found on PATH without node_modules/.bin (npm put Node 24 there for this run).
function systemNode(): { bin: string; version: string } | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes('node_modules'));
  try {
    const bin = execFileSync('sh', ['-c', 'command -v node'], {
      env: { ...process.env, PATH: dirs.join(path.delimiter) },
    })
      .toString()
      .trim();
    return bin ? { bin, version: execFileSync(bin, ['--version']).toString().trim() } : null;
  } catch {
    return null;
  }
}

describe('Node.js version check', () => {
  test('the tests themselves run on Node 24 or newer', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  test('accepts 24 and newer, refuses older with how to fix it in one line', () => {
    expect(nodeVersionProblem('v24.0.0')).toBeNull();
    expect(nodeVersionProblem('v24.22.3')).toBeNull();
    expect(nodeVersionProblem('v26.1.0')).toBeNull();
    for (const old of ['v20.20.2', 'v22.12.0', 'v23.11.1']) {
      const msg = nodeVersionProblem(old);
      expect(msg).toContain(old);
      expect(msg).toMatch(/through npm/);
      expect(msg).toMatch(/install Node\.js 24/);
      expect(msg).not.toContain('\n');
    }
  });

  const sys = systemNode();
  const old = sys && Number(sys.version.slice(1).split('.')[0]) < 24 ? sys : null;
  test.skipIf(!old)('the CLI started with an older system node exits 1 with that one line', async () => {
    if (!old) return;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = execFile(
        old.bin,
        ['--import', 'tsx', path.join(repo, 'pipeline/cli/index.ts'), 'help'],
        { cwd: repo },
        (err, _out, stderr) => resolve({ code: err ? (c.exitCode ?? 1) : 0, stderr }),
      );
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(nodeVersionProblem(old.version));
  });
});
