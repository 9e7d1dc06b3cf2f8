import { handlers } from '@/lib/auth/auth';
import { loginRefusalMessage, withLoginRefusal } from '@/lib/auth/loginRefusal';

export const { GET } = handlers;

/** next-auth answers a refused sign-in with a redirect; a limited one is a 429 with Retry-After instead. */
export async function POST(req: Parameters<typeof handlers.POST>[0]): Promise<Response> {
  const { result, refusal } = await withLoginRefusal(() => handlers.POST(req));
  if (!refusal) return result;
  return Response.json(
    { error: { message: loginRefusalMessage(refusal), code: 'rate_limited' } },
    { status: 429, headers: { 'Retry-After': String(refusal.retryAfterSeconds) } },
  );
}
