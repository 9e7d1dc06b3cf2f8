// The `[id]` of every /api/photos/[id]/… route: a Flickr photo id (digits) or a generated one, never a path.
import { z } from 'zod';

export const photoIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});
