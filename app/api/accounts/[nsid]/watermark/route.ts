import { requireUser } from '@/lib/auth/guard';
import { dataDir } from '@/lib/env';
import { NotFoundError } from '@/lib/errors';
import { route } from '@/lib/http';
import { readWatermarkImage, watermarkImageKey } from '@/pipeline/watermarks/store';
import { nsidFrom } from '../../params';

export const dynamic = 'force-dynamic';

/** The account's estimated watermark (median of gradients across its photos) as a PNG. */
export const GET = route(async (_req, ctx: { params: Promise<{ nsid: string }> }) => {
  await requireUser();
  const nsid = await nsidFrom(ctx);
  const png = await readWatermarkImage(watermarkImageKey(nsid), dataDir());
  if (!png) throw new NotFoundError('No watermark estimate for this account');
  return new Response(new Uint8Array(png), {
    headers: {
      'content-type': 'image/png',
      'cache-control': 'private, max-age=300',
      'content-length': String(png.length),
    },
  });
});
