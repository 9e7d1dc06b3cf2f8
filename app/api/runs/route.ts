import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseQuery, route } from '@/lib/http';
import { listRuns } from '@/lib/queries/runs';
import { appControl } from '@/pipeline/runs/appControl';
import { runInputSchema } from '@/pipeline/runs/config';
import { createRun } from '@/pipeline/runs/control';

export const dynamic = 'force-dynamic';

const pageSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const GET = route(async (req) => {
  await requireUser('admin');
  const paging = parseQuery(req, pageSchema);
  return json(await listRuns(paging));
});

export const POST = route(async (req) => {
  const user = await requireUser('admin');
  const input = await parseBody(req, runInputSchema);
  const run = await createRun(input, user.id, appControl());
  return json(run, { status: 201 });
});
