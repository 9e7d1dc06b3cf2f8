// Starts one PostgreSQL for the whole test run; each test file then creates its own database in it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../lib/server/embeddedPostgres.ts';
import { nodeVersionProblem } from '../../lib/server/nodeVersion.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // vitest started with the system's node (not through npm/npx) would test a runtime Quarry does not support.
  const oldNode = nodeVersionProblem();
  if (oldNode) throw Object.assign(new Error(oldNode), { stack: oldNode });
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgAdminUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir: dir, database: 'postgres' }).catch(
    async (e: unknown) => {
      await rm(dir, { recursive: true, force: true });
      // The reason is the message (initdb's or postgres's stderr); a stack through this file would only hide it.
      if (e instanceof Error) e.stack = e.message;
      throw e;
    },
  );
  project.provide('pgAdminUrl', server.url);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
