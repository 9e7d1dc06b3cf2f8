import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseQuery, route } from '@/lib/http';
import { env } from '@/lib/env';
import { ConflictError } from '@/lib/errors';
import { exportReadiness, listExports, partialExportReason } from '@/lib/queries/exports';
import { appControl } from '@/pipeline/runs/appControl';
import { EXPORT_FORMATS } from '@/pipeline/runs/config';
import { createRun } from '@/pipeline/runs/control';

export const dynamic = 'force-dynamic';

const pageSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
const exportSchema = z
  .object({
    formats: z.array(z.enum(EXPORT_FORMATS)).min(1).max(3),
    licenses: z.array(z.number().int().min(0).max(10)).min(1).max(11).optional(),
    /** Export even while a run is active or photos are unfetched (the CLI's --allow-partial). */
    allowPartial: z.boolean().default(false),
  })
  .strict();

export const GET = route(async (req) => {
  await requireUser('admin');
  return json(await listExports(parseQuery(req, pageSchema)));
});

/** An export is a run of the export stage: queued, resumable, with progress on the Runs page. */
export const POST = route(async (req) => {
  const user = await requireUser('admin');
  const input = await parseBody(req, exportSchema);
  const partial = partialExportReason(
    await exportReadiness(input.licenses ?? env.FLICKR_LICENSES.map(Number)),
  );
  if (partial && !input.allowPartial)
    throw new ConflictError(
      `${partial} Wait for it, or choose "Export anyway" to export what there is now.`,
      { partial: true },
    );
  const run = await createRun(
    { stages: ['export'], exportFormats: input.formats, licenses: input.licenses },
    user.id,
    appControl(),
  );
  return json({ runId: run.id }, { status: 201 });
});
