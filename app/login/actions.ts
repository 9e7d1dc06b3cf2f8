'use server';
import { AuthError } from 'next-auth';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { signIn, signOut } from '@/lib/auth/auth';

export type LoginState = { error?: string };

const schema = z.object({
  email: z.string().trim().email('Enter a valid email').max(320),
  password: z.string().min(1, 'Enter your password').max(200),
  next: z.string().max(2000).optional(),
});

/** Only same-site paths: `next` must not send a user to another site after login. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const parsed = schema.safeParse({ email: form.get('email'), password: form.get('password'), next: form.get('next') ?? undefined });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? 'Invalid input' };
  try {
    // No redirect from next-auth: it would build an absolute URL from AUTH_URL (say localhost) and lose the
    // cookie just set for the address the user actually reached (127.0.0.1, a LAN name). Ours is relative.
    await signIn('credentials', { email: parsed.data.email, password: parsed.data.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) {
      const code = (e as AuthError & { code?: string }).code;
      if (code === 'rate_limited') return { error: 'Too many failed attempts. Wait a few minutes and try again.' };
      if (code === 'account_limited') return { error: 'Too many failed attempts on this account. Wait a few minutes, or ask an admin to unlock it.' };
      return { error: 'Wrong email or password, or the account is disabled.' };
    }
    throw e;
  }
  redirect(safeNext(parsed.data.next));
}

export async function logoutAction(): Promise<void> {
  await signOut({ redirect: false });
  redirect('/login');
}
