// Server-side next-auth: Credentials sign-in against the users table, behind the login limits (lib/auth/login.ts).
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { revokeSessions } from '../queries/users.ts';
import { authConfig } from './config.ts';
import { checkLogin } from './login.ts';
import { deviceCookieFrom } from './trustedDevice.ts';

export class LoginRateLimited extends CredentialsSignin {
  code = 'rate_limited';
}

export class AccountLoginLimited extends CredentialsSignin {
  code = 'account_limited';
}

function clientIp(req: Request | undefined): string | null {
  // Next fills X-Forwarded-For with the socket's address when a request comes without one.
  const fwd = req?.headers.get('x-forwarded-for');
  return fwd ? fwd.split(',')[0].trim().slice(0, 64) : (req?.headers.get('x-real-ip')?.slice(0, 64) ?? null);
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw, request) {
        const outcome = await checkLogin(
          raw,
          clientIp(request),
          undefined,
          deviceCookieFrom(request?.headers.get('cookie')),
        );
        if (outcome.ok) return outcome.user;
        if (outcome.reason === 'limited')
          throw outcome.block === 'account' ? new AccountLoginLimited() : new LoginRateLimited();
        return null;
      },
    }),
  ],
  events: {
    // Sign-out ends the user's sessions everywhere, not only this cookie: a copied cookie is dead too.
    async signOut(message) {
      const uid = 'token' in message ? (message.token?.uid as string | undefined) : undefined;
      if (uid) await revokeSessions(uid);
    },
  },
  logger: {
    // A refused sign-in is routine: one line, not next-auth's stack trace.
    error(error) {
      const type = (error as { type?: string }).type;
      if (type === 'CredentialsSignin') {
        console.warn(`[auth] sign-in refused (${(error as CredentialsSignin).code ?? 'credentials'})`);
        return;
      }
      console.error(error);
    },
  },
});
