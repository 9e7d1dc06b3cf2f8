// The address of the machine at the other end of each HTTP connection, stamped on the request by the server process
// itself. Next.js only passes a web Request to route handlers and server actions (no socket), and it keeps any
// X-Forwarded-For a client sends, so neither tells who really connected: this header does, because every incoming
// request has it overwritten with the socket's address before Next sees it.
import http from 'node:http';
import https from 'node:https';

export const PEER_ADDRESS_HEADER = 'x-quarry-peer-address';
const INSTALLED = Symbol.for('quarry.peerAddressStamp');

type Flagged = typeof globalThis & { [INSTALLED]?: boolean };

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
export function normaliseAddress(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

// Requests reach a server's listener through these events (Expect: 100-continue ones through the last two).
const REQUEST_EVENTS = new Set(['request', 'checkContinue', 'checkExpectation']);

/**
 * Makes every http/https server in this process stamp PEER_ADDRESS_HEADER on each request, replacing whatever the
 * client sent under that name. Patched on the prototypes, so servers created before the call are covered too.
 * Idempotent: the launcher preloads it into `next start` and instrumentation.ts calls it again.
 */
export function installPeerAddressStamp(): void {
  const g = globalThis as Flagged;
  if (g[INSTALLED]) return;
  for (const proto of [http.Server.prototype, https.Server.prototype]) {
    const emit = proto.emit;
    proto.emit = function stampPeer(this: unknown, event: string | symbol, ...args: unknown[]) {
      if (typeof event === 'string' && REQUEST_EVENTS.has(event)) {
        const req = args[0] as http.IncomingMessage;
        req.headers[PEER_ADDRESS_HEADER] = normaliseAddress(req.socket?.remoteAddress);
      }
      return Reflect.apply(emit, this, [event, ...args]);
    } as typeof proto.emit;
  }
  g[INSTALLED] = true;
}

/** Whether this process stamps requests: only then is PEER_ADDRESS_HEADER the server's word, not a client's. */
export function peerAddressStamped(): boolean {
  return (globalThis as Flagged)[INSTALLED] === true;
}
