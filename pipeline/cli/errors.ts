// How a failed command reports itself: one line, never a stack trace or a raw zod issue array; bad input exits 2.
import { ZodError } from 'zod';
import { BadRequestError } from '../../lib/errors.ts';
import { UsageError } from './flags.ts';

export function formatCliError(e: unknown): { message: string; code: number } {
  if (e instanceof UsageError) return { message: `Error: ${e.message}`, code: 2 };
  if (e instanceof ZodError) {
    const issues = e.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    return { message: `Error: ${issues.join('; ')}`, code: 2 };
  }
  if (e instanceof BadRequestError) return { message: `Error: ${e.message}`, code: 2 };
  return { message: e instanceof Error ? `Error: ${e.message}` : `Error: ${String(e)}`, code: 1 };
}
