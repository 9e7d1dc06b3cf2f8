// The server's pipeline worker runs in a process of its own: the batches it runs record its pid, never the server's;
// killed with kill -9, the server starts another and the run still finishes.
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { e2eState, signIn } from './fixtures';
import { E2E_RUN_RANGE } from './seedRuns';

type WorkerInfo = {
  server: { pid: number };
  worker: { state: string; pid: number | null; workerId: string | null; restarts: number } | null;
};

test('the pipeline worker is a child process the server restarts after a kill -9, and the run still finishes', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin');
  const info = async () => (await (await page.request.get('/api/runs/worker')).json()) as WorkerInfo;
  await expect.poll(async () => (await info()).worker?.state, { timeout: 60_000 }).toBe('running');
  const before = await info();
  const serverPid = before.server.pid;
  const firstPid = before.worker!.pid!;
  expect(firstPid).not.toBe(serverPid);

  const created = await page.request.post('/api/runs', {
    data: { stages: ['ingest', 'analyze', 'export'], ...E2E_RUN_RANGE, exportFormats: ['jsonl'] },
  });
  expect(created.status()).toBe(201);
  const runId = ((await created.json()) as { id: string }).id;
  process.kill(firstPid, 'SIGKILL');

  await expect
    .poll(
      async () => {
        const w = (await info()).worker;
        return w?.state === 'running' && w.pid !== firstPid ? w.restarts : 0;
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThanOrEqual(1);
  const secondPid = (await info()).worker!.pid!;
  expect(secondPid).not.toBe(serverPid);

  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/runs/${runId}`);
        return ((await res.json()) as { run: { status: string } }).run.status;
      },
      { timeout: 120_000, intervals: [500] },
    )
    .toBe('completed');

  // Every batch of the run was taken by a worker child (worker ids are host:pid:random), most by the restarted one.
  const client = new pg.Client({ connectionString: e2eState().databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ worker_id: string | null; status: string }>(
      'SELECT worker_id, status::text FROM run_batches WHERE run_id = $1',
      [runId],
    );
    expect(rows.length).toBeGreaterThan(0);
    const pids = rows.map((r) => Number(r.worker_id?.split(':')[1]));
    expect(rows.every((r) => r.status === 'done')).toBe(true);
    expect(pids).not.toContain(serverPid);
    expect(pids.every((p) => p === firstPid || p === secondPid)).toBe(true);
    expect(pids).toContain(secondPid);
  } finally {
    await client.end();
  }
});
