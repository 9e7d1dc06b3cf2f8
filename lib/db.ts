import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';
import { databaseUrl } from './env.ts';

type Cache = { client?: PrismaClient; url?: string };
const cache = globalThis as unknown as { __quarryDb?: Cache };

/** The one Prisma client, cached on globalThis so dev reloads and route handlers share it. */
export function db(): PrismaClient {
  const state = (cache.__quarryDb ??= {});
  const url = databaseUrl();
  if (!state.client || state.url !== url) {
    const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
    state.client = new PrismaClient({ adapter });
    state.url = url;
  }
  return state.client;
}

export async function disconnectDb(): Promise<void> {
  const state = cache.__quarryDb;
  if (state?.client) await state.client.$disconnect();
  if (state) state.client = undefined;
}

export type { PrismaClient };
export { Prisma } from './generated/prisma/client.ts';
