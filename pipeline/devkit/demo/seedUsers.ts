// Creates the demo's admin and reviewer logins once and remembers them, so every `npm run demo` prints the same.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getUserByEmail } from '../../../lib/queries/users.ts';
import { addUser } from '../../../lib/userAdmin.ts';

export type DemoLogin = { email: string; password: string; role: 'admin' | 'reviewer' };

export const DEMO_ADMIN_EMAIL = 'admin@quarry.local';

const DEMO_USERS = [
  { email: DEMO_ADMIN_EMAIL, name: 'Demo Admin', role: 'admin' },
  { email: 'reviewer@quarry.local', name: 'Demo Reviewer', role: 'reviewer' },
  { email: 'reviewer2@quarry.local', name: 'Second Reviewer', role: 'reviewer' },
] as const;

export async function seedDemoUsers(dataDir: string): Promise<DemoLogin[]> {
  const file = path.join(dataDir, 'demo-logins.json');
  const saved: DemoLogin[] = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : [];
  const logins: DemoLogin[] = [];
  for (const u of DEMO_USERS) {
    const known = saved.find((s) => s.email === u.email);
    if (await getUserByEmail(u.email)) {
      if (known) logins.push(known);
      continue;
    }
    const { generatedPassword } = await addUser({ email: u.email, name: u.name, role: u.role });
    logins.push({ email: u.email, password: generatedPassword as string, role: u.role });
  }
  await writeFile(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  return logins;
}
