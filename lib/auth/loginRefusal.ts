// What a refused sign-in tells the person (one line, with when to try again) and the HTTP client (429 +
// Retry-After). next-auth turns an error thrown in authorize() into a redirect that carries only its code, so the
// wait is handed to the route through an AsyncLocalStorage scoped to that one request.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoginBlock } from './loginRateLimit.ts';

export type LoginRefusal = { block: LoginBlock; retryAfterSeconds: number };

const refusalScope = new AsyncLocalStorage<{ refusal?: LoginRefusal }>();

/** Runs one sign-in request, returning what limit (if any) refused it. */
export async function withLoginRefusal<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; refusal?: LoginRefusal }> {
  const scope: { refusal?: LoginRefusal } = {};
  const result = await refusalScope.run(scope, fn);
  return { result, refusal: scope.refusal };
}

export function recordLoginRefusal(refusal: LoginRefusal): void {
  const scope = refusalScope.getStore();
  if (scope) scope.refusal = refusal;
}

function waitPhrase(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function loginRefusalMessage({ block, retryAfterSeconds }: LoginRefusal): string {
  const wait = waitPhrase(retryAfterSeconds);
  return block === 'account'
    ? `Too many failed attempts on this account. Try again in ${wait}, or ask an admin to unlock it.`
    : `Too many failed attempts. Try again in ${wait}.`;
}
