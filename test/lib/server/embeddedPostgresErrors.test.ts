// Start-up failures of the embedded PostgreSQL: one line with initdb's or postgres's own reason; a port clash and a
// slow start are retried, the rest fails at once.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddedPostgresError,
  freePort,
  startEmbeddedPostgres,
} from '../../../lib/server/embeddedPostgres.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'quarry-pg-errors-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
const release = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));

async function failure(p: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EmbeddedPostgresError);
  return e as EmbeddedPostgresError;
}

describe('embedded PostgreSQL start-up errors', () => {
  // initdb's own failure (a non-empty folder where the cluster goes) is in startFrom0700.test.ts.
  describe('on a cluster that exists', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await tempDir();
      const first = await startEmbeddedPostgres({ dataDir });
      await first.stop();
    });

    it('a port held for a moment is tried again, and the server starts on it', async () => {
      const port = await freePort();
      const blocker = await hold(port);
      setTimeout(() => {
        void release(blocker);
      }, 1200);
      const lines: string[] = [];
      const server = await startEmbeddedPostgres({ dataDir, port, log: (m) => lines.push(m) });
      try {
        expect(server.port).toBe(port);
        expect(lines.some((l) => l.includes('port in use') && l.includes(`port ${port}`))).toBe(true);
      } finally {
        await server.stop();
      }
    });

    it("a port that stays taken fails after the retries, with postgres's reason in one line", async () => {
      const port = await freePort();
      const blocker = await hold(port);
      try {
        const lines: string[] = [];
        const e = await failure(startEmbeddedPostgres({ dataDir, port, log: (m) => lines.push(m) }));
        expect(e.message).toMatch(
          new RegExp(
            `did not start on port ${port}.*(Address already in use|could not create any TCP/IP sockets)`,
          ),
        );
        expect(e.message).not.toContain('\n');
        expect(lines.filter((l) => l.includes('port in use'))).toHaveLength(4);
      } finally {
        await release(blocker);
      }
    });

    it('a start that does not become ready in time is tried once more, then reported', async () => {
      const lines: string[] = [];
      const e = await failure(
        startEmbeddedPostgres({ dataDir, readyTimeoutMs: 1, log: (m) => lines.push(m) }),
      );
      expect(e.message).toMatch(/did not become ready within 0\.001 s/);
      expect(lines.filter((l) => l.includes('slow start'))).toHaveLength(1);
      // Nothing was left running: a normal start afterwards works.
      const server = await startEmbeddedPostgres({ dataDir });
      expect(server.owned).toBe(true);
      await server.stop();
    });
  });
});
