import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, route } from '@/lib/http';
import { listUsers } from '@/lib/queries/users';
import { addUser, newUserSchema } from '@/lib/userAdmin';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  await requireUser('admin');
  return json({ data: await listUsers() });
});

export const POST = route(async (req) => {
  await requireUser('admin');
  const input = await parseBody(req, newUserSchema);
  const { user, generatedPassword } = await addUser(input);
  return json({ user, generatedPassword }, { status: 201 });
});
