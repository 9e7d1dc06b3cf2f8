// `npm run quarry -- users add|list|disable|enable|set-password|unlock`: manage who can sign in.
import { createInterface } from 'node:readline/promises';
import { getUserByEmail, listUsers } from '../../../lib/queries/users.ts';
import { unlockLogin } from '../../../lib/auth/loginRateLimit.ts';
import { addUser, changeUser, roleSchema } from '../../../lib/userAdmin.ts';
import { flag, parseFlags, pickSubcommand, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const email = flag.string("the user's email (their sign-in name)", {
  value: 'E',
  expects: 'an email address',
  required: true,
});
const password = flag.string('the password (visible in your shell history: prefer --prompt)', { value: 'P' });
const prompt = flag.switch('ask for the password on the terminal');

const addFlags = {
  email,
  name: flag.string('display name', { value: 'N', defaultText: 'the part of the email before @' }),
  role: flag.choice('what the user may do', roleSchema.options, { default: 'reviewer' }),
  password,
  prompt,
};
const emailFlags = { email };
const passwordFlags = { email, password, prompt };

export const spec: CommandSpec = {
  name: 'users',
  summary: 'add, list, disable, enable users, set their passwords and lift sign-in limits',
  flags: {},
  subcommandRequired: true,
  subcommands: {
    add: { summary: 'add a user', flags: addFlags },
    list: { summary: 'list users: email, role, state, name', flags: {} },
    disable: { summary: 'stop a user from signing in', flags: emailFlags },
    enable: { summary: 'let a disabled user sign in again', flags: emailFlags },
    'set-password': { summary: "change a user's password", flags: passwordFlags },
    unlock: { summary: 'lift the sign-in limits after failed attempts', flags: emailFlags },
  },
  notes: ['Without --password or --prompt a strong password is generated and printed once.'],
};

async function promptPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question('Password: ');
  } finally {
    rl.close();
  }
}

async function findUserId(address: string): Promise<string> {
  const user = await getUserByEmail(address);
  if (!user) throw new Error(`No user with email ${address}`);
  return user.id;
}

const passwordOf = async (f: { password?: string; prompt: boolean }) =>
  f.password ?? (f.prompt ? await promptPassword() : undefined);

export async function run(args: string[]): Promise<void> {
  const { sub, rest } = pickSubcommand(spec, args);
  if (sub === 'list') {
    parseFlags({}, rest);
    await withDatabase(async () => {
      for (const u of await listUsers())
        console.log(`${u.email}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\t${u.name}`);
    });
  } else if (sub === 'add') {
    const f = parseFlags(addFlags, rest).values;
    const pw = await passwordOf(f);
    await withDatabase(async () => {
      const { user, generatedPassword } = await addUser({
        email: f.email,
        name: f.name,
        role: f.role,
        password: pw,
      });
      console.log(
        `Added ${user.role} ${user.email}${generatedPassword ? `\nPassword (shown once): ${generatedPassword}` : ''}`,
      );
    });
  } else if (sub === 'disable' || sub === 'enable') {
    const f = parseFlags(emailFlags, rest).values;
    await withDatabase(async () => {
      await changeUser('cli', await findUserId(f.email), { disabled: sub === 'disable' });
      console.log(`${sub === 'disable' ? 'Disabled' : 'Enabled'} ${f.email}`);
    });
  } else if (sub === 'set-password') {
    const f = parseFlags(passwordFlags, rest).values;
    const pw = await passwordOf(f);
    if (!pw) throw new Error('Give --password P or --prompt');
    await withDatabase(async () => {
      await changeUser('cli', await findUserId(f.email), { password: pw });
      console.log(`Password changed for ${f.email}`);
    });
  } else if (sub === 'unlock') {
    const f = parseFlags(emailFlags, rest).values;
    await withDatabase(async () => {
      await findUserId(f.email);
      const lifted = await unlockLogin(f.email);
      console.log(
        lifted > 0 ? `Sign-in unlocked for ${f.email}` : `${f.email} had no sign-in limits to lift`,
      );
    });
  }
}
