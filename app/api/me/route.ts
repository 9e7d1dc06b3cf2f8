import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

export const GET = route(async () => json(await requireUser()));
