// Server-side next-auth: Credentials sign-in against the users table, rate-limited per account and IP.
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { z } from 'zod';
import { getUserByEmail } from '../queries/users.ts';
import { authConfig } from './config.ts';
import { isLoginBlocked, loginKeys, recordLogin } from './loginRateLimit.ts';
import { verifyPassword } from './password.ts';

export class LoginRateLimited extends CredentialsSignin {
  code = 'rate_limited';
}

const credentialsSchema = z.object({ email: z.string().trim().email().max(320), password: z.string().min(1).max(200) });

function clientIp(req: Request | undefined): string | null {
  const fwd = req?.headers.get('x-forwarded-for');
  return fwd ? fwd.split(',')[0].trim() : (req?.headers.get('x-real-ip') ?? null);
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw, request) {
        const parsed = credentialsSchema.safeParse(raw);
        if (!parsed.success) return null;
        const { email, password } = parsed.data;
        const keys = loginKeys(email, clientIp(request));
        if (await isLoginBlocked(keys)) throw new LoginRateLimited();
        const user = await getUserByEmail(email);
        const ok = user !== null && !user.disabled && (await verifyPassword(user.passwordHash, password));
        await recordLogin(keys, ok);
        if (!ok || !user) return null;
        return { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ],
});
