// next-auth settings without database access, shared by the server auth and anything edge-safe.
import type { NextAuthConfig } from 'next-auth';
import { env } from '../env.ts';

export const authConfig = {
  trustHost: true,
  pages: { signIn: '/login' },
  session: { strategy: 'jwt', maxAge: Math.round(env.SESSION_MAX_AGE_HOURS * 3600) },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.role = (user as { role?: string }).role;
        // The user's session version at sign-in; the guard refuses the cookie once the user's version moves on.
        token.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) {
        (session.user as { id?: string }).id = token.uid as string;
        (session.user as { role?: string }).role = token.role as string;
        (session.user as { sv?: number }).sv = typeof token.sv === 'number' ? token.sv : -1;
      }
      return session;
    },
  },
} satisfies NextAuthConfig;
