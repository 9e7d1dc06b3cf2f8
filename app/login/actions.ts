'use server';
import { AuthError } from 'next-auth';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { LoginLimited, signIn, signOut } from '@/lib/auth/auth';
import { loginRefusalMessage } from '@/lib/auth/loginRefusal';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE, issueDeviceToken } from '@/lib/auth/trustedDevice';

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
  const parsed = schema.safeParse({
    email: form.get('email'),
    password: form.get('password'),
    next: form.get('next') ?? undefined,
  });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? 'Invalid input' };
  try {
    // No redirect from next-auth: it would build an absolute URL from AUTH_URL (say localhost) and lose the
    // cookie just set for the address the user actually reached (127.0.0.1, a LAN name). Ours is relative.
    await signIn('credentials', {
      email: parsed.data.email,
      password: parsed.data.password,
      redirect: false,
    });
  } catch (e) {
    if (e instanceof LoginLimited) return { error: loginRefusalMessage(e.refusal) };
    if (e instanceof AuthError) {
      return { error: 'Wrong email or password, or the account is disabled.' };
    }
    throw e;
  }
  // This browser may now sign in to this account even while others exhaust its shared limits.
  const device = issueDeviceToken(parsed.data.email);
  if (device) {
    (await cookies()).set(DEVICE_COOKIE, device, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: DEVICE_COOKIE_MAX_AGE,
      secure: (await headers()).get('x-forwarded-proto') === 'https',
    });
  }
  redirect(safeNext(parsed.data.next));
}

export async function logoutAction(): Promise<void> {
  await signOut({ redirect: false });
  redirect('/login');
}
