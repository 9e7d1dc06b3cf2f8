// The app as the e2e tests see it: a fresh embedded database in a temp dir, seeded users, `next start`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { disconnectDb } from '../../lib/db.ts';
import { ensureDatabase } from '../../lib/server/database.ts';
import { hashPassword } from '../../lib/auth/password.ts';
import { createUser } from '../../lib/queries/users.ts';
import { ensureBuilt, serveApp } from '../../pipeline/cli/serveApp.ts';
import { seedE2eData } from './seed.ts';
import { E2E_USERS, e2eStateFile } from './fixtures.ts';

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || 3100);
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-e2e-'));
delete process.env.DATABASE_URL;
process.env.DATA_DIR = dataDir;

ensureBuilt((m) => console.error(m));
const database = await ensureDatabase({ dataDir, log: (m) => console.error(m) }).catch(async (e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  await rm(dataDir, { recursive: true, force: true });
  process.exit(1);
});
for (const [key, u] of Object.entries(E2E_USERS)) {
  await createUser({
    email: u.email,
    name: u.name,
    role: key === 'admin' ? 'admin' : 'reviewer',
    passwordHash: await hashPassword(u.password),
  });
}
const extraEnv = await seedE2eData({ dataDir });
await disconnectDb();
// The specs read the database directly (e.g. to prove hostile requests change nothing).
await writeFile(e2eStateFile(), JSON.stringify({ databaseUrl: database.url, dataDir }));

const code = await serveApp({
  dev: false,
  port,
  env: {
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    AUTH_SECRET: 'e2e-secret-e2e-secret-e2e-secret',
    AUTH_URL: `http://localhost:${port}`,
    ...extraEnv,
  },
  onStop: async () => {
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  },
});
process.exit(code);
