// Server-side next-auth: Credentials sign-in against the users table, behind the login limits (lib/auth/login.ts).
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { revokeSessions } from '../queries/users.ts';
import { authConfig } from './config.ts';
import { clientAddress } from './clientAddress.ts';
import { checkLogin } from './login.ts';
import { type LoginRefusal, recordLoginRefusal } from './loginRefusal.ts';
import { deviceCookieFrom } from './trustedDevice.ts';

/** A sign-in refused by a login limit; `retryAfterSeconds` says when that limit lifts. */
export class LoginLimited extends CredentialsSignin {
  constructor(readonly refusal: LoginRefusal) {
    super();
    // The code reaches the login form (and next-auth's error redirect): which limit, not the wait.
    this.code = refusal.block === 'account' ? 'account_limited' : 'rate_limited';
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' } },
      async authorize(raw, request) {
        const outcome = await checkLogin(
          raw,
          request ? clientAddress(request.headers) : null,
          undefined,
          deviceCookieFrom(request?.headers.get('cookie')),
        );
        if (outcome.ok) return outcome.user;
        if (outcome.reason === 'limited') {
          const refusal = { block: outcome.block, retryAfterSeconds: outcome.retryAfterSeconds };
          recordLoginRefusal(refusal);
          throw new LoginLimited(refusal);
        }
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
