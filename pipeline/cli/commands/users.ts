// `npm run quarry -- users add|list|disable|enable|set-password|unlock`: manage who can sign in.
import { createInterface } from 'node:readline/promises';
import { z } from 'zod';
import { getUserByEmail, listUsers } from '../../../lib/queries/users.ts';
import { unlockLogin } from '../../../lib/auth/loginRateLimit.ts';
import { addUser, changeUser, roleSchema } from '../../../lib/userAdmin.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

const USAGE = `Usage:
  npm run quarry -- users add --email E [--name N] [--role admin|reviewer] [--password P | --prompt]
  npm run quarry -- users list
  npm run quarry -- users disable|enable --email E
  npm run quarry -- users set-password --email E [--password P | --prompt]
  npm run quarry -- users unlock --email E     lift the sign-in limits after failed attempts
Without --password or --prompt a strong password is generated and printed once.`;

async function promptPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Password: ');
  } finally {
    rl.close();
  }
}

async function findUserId(email: string): Promise<string> {
  const user = await getUserByEmail(email);
  if (!user) throw new Error(`No user with email ${email}`);
  return user.id;
}

export async function run(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args);
  const sub = positional[0];
  const email = typeof flags.email === 'string' ? flags.email : undefined;
  const password = typeof flags.password === 'string' ? flags.password : flags.prompt ? await promptPassword() : undefined;
  if (!sub || (sub !== 'list' && !email)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  await withDatabase(async () => {
    if (sub === 'list') {
      for (const u of await listUsers()) console.log(`${u.email}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.name}`);
    } else if (sub === 'add') {
      const role = roleSchema.parse(flags.role ?? 'reviewer');
      const name = z.string().optional().parse(typeof flags.name === 'string' ? flags.name : undefined);
      const { user, generatedPassword } = await addUser({ email: email as string, name, role, password });
      console.log(`Added ${user.role} ${user.email}${generatedPassword ? `\nPassword (shown once): ${generatedPassword}` : ''}`);
    } else if (sub === 'disable' || sub === 'enable') {
      const id = await findUserId(email as string);
      await changeUser('cli', id, { disabled: sub === 'disable' });
      console.log(`${sub === 'disable' ? 'Disabled' : 'Enabled'} ${email}`);
    } else if (sub === 'set-password') {
      const id = await findUserId(email as string);
      if (!password) throw new Error('Give --password P or --prompt');
      await changeUser('cli', id, { password });
      console.log(`Password changed for ${email}`);
    } else if (sub === 'unlock') {
      await findUserId(email as string);
      const lifted = await unlockLogin(email as string);
      console.log(lifted > 0 ? `Sign-in unlocked for ${email}` : `${email} had no sign-in limits to lift`);
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  });
}
