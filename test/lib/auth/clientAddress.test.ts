// The login limits' client address: what a client sends in forwarding headers must not choose it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '../../../lib/auth/clientAddress.ts';
import { installPeerAddressStamp, PEER_ADDRESS_HEADER } from '../../../lib/server/peerAddress.ts';

/** A real HTTP server answering with the address the login limits would key on, for 0 and 1 trusted proxies. */
let server: http.Server;
let base: string;

beforeAll(async () => {
  installPeerAddressStamp();
  server = http.createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ direct: clientAddress(headers, 0), oneProxy: clientAddress(headers, 1) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function ask(headers: Record<string, string>) {
  return (await (await fetch(base, { headers })).json()) as { direct: string; oneProxy: string };
}

describe('client address for the login limits', () => {
  it('without a trusted proxy, forged X-Forwarded-For, X-Real-IP and peer headers are ignored: the connection decides', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await ask({
        'x-forwarded-for': `198.51.100.${i}`,
        'x-real-ip': `203.0.113.${i}`,
        [PEER_ADDRESS_HEADER]: `192.0.2.${i}`,
      });
      seen.add(r.direct);
    }
    expect([...seen]).toEqual(['127.0.0.1']);
  });

  it('behind one trusted proxy, the address that proxy appended counts, not what the client put before it', async () => {
    const r = await ask({ 'x-forwarded-for': '198.51.100.7, 10.9.8.7' });
    expect(r.oneProxy).toBe('10.9.8.7');
  });

  it('a bare Headers object (no server stamped it) has no trusted address', () => {
    const h = new Headers({ 'x-forwarded-for': '198.51.100.1' });
    expect(clientAddress(h, 1)).toBe('198.51.100.1');
    // Stamped in this process, so the header counts only because the server set it; check the unstamped path:
    const g = globalThis as Record<symbol, unknown>;
    const flag = Symbol.for('quarry.peerAddressStamp');
    const was = g[flag];
    g[flag] = false;
    try {
      expect(clientAddress(new Headers({ [PEER_ADDRESS_HEADER]: '192.0.2.1' }), 0)).toBeNull();
    } finally {
      g[flag] = was;
    }
  });
});
