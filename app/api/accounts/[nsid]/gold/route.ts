import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, route } from '@/lib/http';
import { setGoldAnswer } from '@/lib/queries/gold';
import { REJECT_REASON_KEYS } from '@/lib/reviewVocabulary';
import { nsidFrom } from '../../params';

export const dynamic = 'force-dynamic';

const bodySchema = z.discriminatedUnion('answer', [
  z.object({ answer: z.literal('approve') }),
  z.object({ answer: z.literal('reject'), reason: z.enum(REJECT_REASON_KEYS) }),
  z.object({ answer: z.null() }),
]);

/** Admins mark an account as a known-answer (gold) account, or clear it (`answer: null`). */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  await requireUser('admin');
  const body = await parseBody(req, bodySchema);
  const nsid = await nsidFrom(ctx);
  await setGoldAnswer(nsid, body.answer, body.answer === 'reject' ? body.reason : null);
  return json({ nsid, answer: body.answer, reason: body.answer === 'reject' ? body.reason : null });
});
