import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { NotFoundError } from '@/lib/errors';
import { parseWith, route } from '@/lib/http';
import { getExport } from '@/lib/queries/exports';
import { MANIFEST_NAME } from '@/pipeline/export/files';

export const dynamic = 'force-dynamic';

// Only names the exporter writes: no separators, no dot-dot, so a request can never leave the export's directory.
const paramsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
  name: z.string().regex(/^[a-z0-9_-]+\.(parquet|jsonl|csv|json)$/i),
});

const TYPES: Record<string, string> = {
  '.parquet': 'application/vnd.apache.parquet',
  '.jsonl': 'application/x-ndjson',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
};

/** Downloads are for whoever uses the dataset: any signed-in user. Streamed, never buffered. */
export const GET = route(async (_req, ctx: { params: Promise<{ id: string; name: string }> }) => {
  await requireUser();
  const { id, name } = parseWith(paramsSchema, await ctx.params);
  const exp = await getExport(id);
  const listed =
    exp?.files.some((f) => f.name === name) || (name === MANIFEST_NAME && exp?.status === 'completed');
  if (!exp || exp.status !== 'completed' || !exp.directory || !listed)
    throw new NotFoundError('File not found');
  const file = path.join(exp.directory, name);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new NotFoundError('File no longer on disk');
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      'content-disposition': `attachment; filename="quarry-${id}-${name}"`,
      'cache-control': 'private, no-store',
    },
  });
});
