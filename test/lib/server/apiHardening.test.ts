// What an outside probe of the API found (issue 15, items 4–6 and 8), asserted through the route handlers themselves
// against the real database: bad input is a 400 naming the field, never a 500; request ids answer only their own request;
// bodies are bounded while streaming; a reviewer holds at most two leases and a release says what happened.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { db } from '../../../lib/db.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from '../queries/reviewFixtures.ts';

// The session layer is h-auth's and needs a request context; the routes only need "who is calling".
const session = vi.hoisted(() => ({
  user: null as null | { id: string; email: string; name: string; role: 'admin' | 'reviewer' },
}));
vi.mock('@/lib/auth/guard', async () => {
  const { UnauthorizedError } = await import('../../../lib/errors.ts');
  return {
    requireUser: async () => {
      if (!session.user) throw new UnauthorizedError();
      return session.user;
    },
  };
});

const decisions = await import('../../../app/api/accounts/[nsid]/decisions/route.ts');
const undoRoute = await import('../../../app/api/accounts/undo/route.ts');
const overrides = await import('../../../app/api/overrides/route.ts');
const labels = await import('../../../app/api/spot-checks/[id]/labels/route.ts');
const runs = await import('../../../app/api/runs/route.ts');
const claim = await import('../../../app/api/accounts/claim/route.ts');
const lease = await import('../../../app/api/accounts/[nsid]/lease/route.ts');
const release = await import('../../../app/api/accounts/release/route.ts');
const users = await import('../../../app/api/users/[id]/route.ts');

const database = useTestDatabase();
const BASE = 'http://localhost:3000';

function post(path: string, body: unknown, init: RequestInit = {}): Request {
  return new Request(`${BASE}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}
const nsidCtx = (nsid: string) => ({ params: Promise.resolve({ nsid: encodeURIComponent(nsid) }) });
async function answer(res: Response): Promise<{
  status: number;
  body: { error?: { message: string; code: string } } & Record<string, unknown>;
}> {
  return { status: res.status, body: await res.json() };
}

let alice: { id: string; email: string; name: string; role: 'reviewer' };
let bob: { id: string; email: string; name: string; role: 'reviewer' };
let nsids: string[];

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE accounts, photos, users, account_decisions, overrides, spot_checks CASCADE',
  );
  alice = { id: await makeUser('alice'), email: 'alice@t.test', name: 'alice', role: 'reviewer' };
  bob = { id: await makeUser('bob'), email: 'bob@t.test', name: 'bob', role: 'reviewer' };
  nsids = await makeAccounts(12, 1);
  session.user = alice;
});

describe('request ids are scoped to (user, account, action)', () => {
  it("answers a repeat of the same request with its result, and another user's or account's reuse with 409 and none of its data", async () => {
    const first = await answer(
      await decisions.POST(
        post('/x', {
          decision: 'reject',
          reason: 'other',
          note: 'alice private note',
          requestId: 'shared-id-1',
          expectedStatus: 'pending',
        }),
        nsidCtx(nsids[0]),
      ),
    );
    expect(first.status).toBe(201);
    const again = await answer(
      await decisions.POST(
        post('/x', {
          decision: 'reject',
          reason: 'other',
          note: 'alice private note',
          requestId: 'shared-id-1',
          expectedStatus: 'pending',
        }),
        nsidCtx(nsids[0]),
      ),
    );
    expect(again.body).toEqual(first.body);

    session.user = bob;
    const stolen = await answer(
      await decisions.POST(
        post('/x', { decision: 'approve', requestId: 'shared-id-1', expectedStatus: 'pending' }),
        nsidCtx(nsids[1]),
      ),
    );
    expect(stolen.status).toBe(409);
    expect(stolen.body.error?.code).toBe('conflict');
    expect(JSON.stringify(stolen.body)).not.toContain('alice');
    // Bob's own account was not decided by that answer: he can decide it with a fresh id.
    expect((await db().account.findUnique({ where: { nsid: nsids[1] } }))?.reviewStatus).toBe('pending');

    session.user = alice;
    const otherAccount = await answer(
      await decisions.POST(
        post('/x', {
          decision: 'reject',
          reason: 'other',
          note: 'alice private note',
          requestId: 'shared-id-1',
          expectedStatus: 'pending',
        }),
        nsidCtx(nsids[2]),
      ),
    );
    expect(otherAccount.status).toBe(409);
    const otherAction = await answer(await undoRoute.POST(post('/x', { requestId: 'shared-id-1' })));
    expect(otherAction.status).toBe(409);
    expect(await db().accountDecision.count()).toBe(1);
  });

  it('refuses an override request id another user already used', async () => {
    await db().checkResult.createMany({
      data: [
        { photoId: 'a0p0', check: 'resolution', verdict: 'fail', score: 0.9, version: 'v1' },
        { photoId: 'a1p0', check: 'resolution', verdict: 'fail', score: 0.9, version: 'v1' },
      ],
    });
    expect(
      (
        await overrides.POST(
          post('/x', {
            photoIds: ['a0p0'],
            check: 'resolution',
            newVerdict: 'pass',
            reason: 'alice reason',
            requestId: 'ovr-shared-1',
          }),
        )
      ).status,
    ).toBe(201);
    session.user = bob;
    const reused = await answer(
      await overrides.POST(
        post('/x', {
          photoIds: ['a1p0'],
          check: 'resolution',
          newVerdict: 'pass',
          requestId: 'ovr-shared-1',
        }),
      ),
    );
    expect(reused.status).toBe(409);
    expect(await db().override.count({ where: { photoId: 'a1p0' } })).toBe(0);
  });
});

describe('decisions need the status the reviewer saw', () => {
  it('refuses a decision without expectedStatus (400) and one made against a status that changed (409)', async () => {
    const missing = await answer(
      await decisions.POST(post('/x', { decision: 'approve', requestId: 'no-expect-1' }), nsidCtx(nsids[0])),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toMatch(/expectedStatus/);
    expect(await db().accountDecision.count()).toBe(0);

    session.user = bob;
    expect(
      (
        await decisions.POST(
          post('/x', { decision: 'approve', requestId: 'bob-first-1', expectedStatus: 'pending' }),
          nsidCtx(nsids[0]),
        )
      ).status,
    ).toBe(201);
    session.user = alice;
    const stale = await answer(
      await decisions.POST(
        post('/x', {
          decision: 'reject',
          reason: 'watermarks',
          requestId: 'alice-late-1',
          expectedStatus: 'pending',
        }),
        nsidCtx(nsids[0]),
      ),
    );
    expect(stale.status).toBe(409);
    expect((await db().account.findUnique({ where: { nsid: nsids[0] } }))?.reviewStatus).toBe('approved');
  });
});

describe('400 naming the field where a 500 was', () => {
  it('refuses a NUL character in note, photoIds and photoId', async () => {
    const note = await answer(
      await decisions.POST(
        post('/x', {
          decision: 'approve',
          note: 'a\u0000b',
          requestId: 'nul-note-1',
          expectedStatus: 'pending',
        }),
        nsidCtx(nsids[0]),
      ),
    );
    expect(note).toMatchObject({
      status: 400,
      body: { error: { message: 'note: must not contain a NUL character' } },
    });
    const ids = await answer(
      await overrides.POST(
        post('/x', {
          photoIds: ['ok', 'x\u0000'],
          check: 'resolution',
          newVerdict: 'pass',
          requestId: 'nul-ids-1',
        }),
      ),
    );
    expect(ids).toMatchObject({
      status: 400,
      body: { error: { message: 'photoIds.1: must not contain a NUL character' } },
    });
    const photoId = await answer(
      await labels.POST(post('/x', { photoId: '\u0000', labels: ['fine'], requestId: 'nul-photo-1' }), {
        params: Promise.resolve({ id: 'abc' }),
      }),
    );
    expect(photoId).toMatchObject({
      status: 400,
      body: { error: { message: 'photoId: must not contain a NUL character' } },
    });
    expect(await db().accountDecision.count()).toBe(0);
  });

  it('answers an unknown run stage and an impossible calendar date with 400', async () => {
    session.user = { ...alice, role: 'admin' } as never;
    const stage = await answer(await runs.POST(post('/api/runs', { stages: ['bogus'] })));
    expect(stage.status).toBe(400);
    expect(stage.body.error?.message).toMatch(/^stages: unknown stage bogus/);
    for (const from of ['2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31']) {
      const date = await answer(await runs.POST(post('/api/runs', { stages: ['ingest'], from })));
      expect(date.status, from).toBe(400);
      expect(date.body.error?.message).toBe('from: not a calendar date');
    }
    expect(await db().pipelineRun.count()).toBe(0);
  });
});

describe('body size is enforced while reading', () => {
  it('refuses a declared Content-Length over 1 MB without reading the body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await decisions.POST(
      new Request(`${BASE}/x`, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { 'content-length': String(300_000_000) },
      } as RequestInit),
      nsidCtx(nsids[0]),
    );
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('stops reading an endless chunked body just past the limit and answers 413 at once', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
    const t0 = Date.now();
    const res = await decisions.POST(
      new Request(`${BASE}/x`, { method: 'POST', body, duplex: 'half' } as RequestInit),
      nsidCtx(nsids[0]),
    );
    expect(res.status).toBe(413);
    expect((await answer(res)).body.error?.message).toMatch(/larger than 1000000 bytes/);
    // An endless body can only end this way if reading stopped: at most a couple of chunks past 1 MB were pulled.
    expect(sent).toBeLessThan(1_000_000 + 4 * 64 * 1024);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('a database outage', () => {
  it('answers 503 with a reason, not 500', async () => {
    const url = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgresql://nobody:x@127.0.0.1:9/gone';
    try {
      const res = await answer(await decisions.GET(new Request(`${BASE}/x`), nsidCtx(nsids[0])));
      expect(res.status).toBe(503);
      expect(res.body.error?.message).toMatch(/database is unreachable/);
    } finally {
      process.env.DATABASE_URL = url;
    }
    expect(database.url()).toBe(url);
  });
});

describe('leases', () => {
  const held = async (userId: string) =>
    (
      await db().account.findMany({
        where: { leaseUserId: userId, leaseExpiresAt: { gt: new Date() } },
        select: { nsid: true },
      })
    ).map((a) => a.nsid);

  it('never lets a reviewer hold more than the current and the reserved account, however often claim is looped', async () => {
    const first = await answer(await claim.POST(post('/x', { order: 'rank' })));
    const current = (first.body.lease as { nsid: string }).nsid;
    const exclude = [current];
    for (let i = 0; i < 10; i++) {
      const r = await answer(await claim.POST(post('/x', { order: 'rank', exclude })));
      exclude.push((r.body.lease as { nsid: string }).nsid);
    }
    const mine = await held(alice.id);
    expect(mine).toHaveLength(2);
    expect(mine).toContain(current);
    expect(mine).toContain(exclude.at(-1));
  });

  it("ends a disabled reviewer's leases at once", async () => {
    session.user = bob;
    await claim.POST(post('/x', { order: 'rank' }));
    await claim.POST(post('/x', { order: 'rank', exclude: [nsids[0]] }));
    expect(await held(bob.id)).toHaveLength(2);
    await db().user.update({ where: { id: alice.id }, data: { role: 'admin' } });
    session.user = { ...alice, role: 'admin' } as never;
    const res = await users.PATCH(
      new Request(`${BASE}/x`, { method: 'PATCH', body: JSON.stringify({ disabled: true }) }),
      { params: Promise.resolve({ id: bob.id }) },
    );
    expect(res.status).toBe(200);
    expect(await held(bob.id)).toEqual([]);
  });

  it('refuses a lease on a decided account with 409 and a message, so it cannot become a third lease', async () => {
    await claim.POST(post('/x', { order: 'rank' }));
    await claim.POST(post('/x', { order: 'rank', exclude: [nsids[0]] }));
    await db().account.update({ where: { nsid: nsids[7] }, data: { reviewStatus: 'rejected' } });
    const res = await answer(await lease.POST(post('/x', { keep: [nsids[1]] }), nsidCtx(nsids[7])));
    expect(res).toMatchObject({
      status: 409,
      body: {
        error: {
          code: 'conflict',
          message: `Account ${nsids[7]} is already rejected: there is nothing to review, so no lease was taken`,
          details: { code: 'decided', status: 'rejected' },
        },
      },
    });
    expect((await held(alice.id)).sort()).toEqual([nsids[0], nsids[1]]);
  });

  it('says what a release did: released, not leased, or not yours (409, lease kept)', async () => {
    session.user = bob;
    await claim.POST(post('/x', { order: 'rank' }));
    session.user = alice;
    const del = (nsid: string) =>
      lease.DELETE(new Request(`${BASE}/x`, { method: 'DELETE' }), nsidCtx(nsid)).then(answer);
    expect(await del(nsids[0])).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await held(bob.id)).toEqual([nsids[0]]);
    expect(await del(nsids[5])).toEqual({ status: 200, body: { released: false, reason: 'not leased' } });
    await lease.POST(post('/x', {}), nsidCtx(nsids[5]));
    expect(await del(nsids[5])).toEqual({ status: 200, body: { released: true } });

    // The leave-the-page endpoint (sendBeacon: a text/plain JSON body) answers per account.
    await claim.POST(post('/x', { order: 'rank' }));
    const mine = await held(alice.id);
    const res = await answer(
      await release.POST(
        post('/x', JSON.stringify({ nsids: [...mine, nsids[0]] }), {
          headers: { 'content-type': 'text/plain;charset=UTF-8' },
        }),
      ),
    );
    expect(res.body.data).toEqual([
      ...mine.map((nsid) => ({ nsid, released: true })),
      { nsid: nsids[0], released: false, reason: 'not yours' },
    ]);
    expect(await held(alice.id)).toEqual([]);
    expect(await held(bob.id)).toEqual([nsids[0]]);
  });
});
