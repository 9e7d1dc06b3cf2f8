// Who is signing in, for the login limits: an address a client cannot choose. With no trusted proxy
// (TRUSTED_PROXY_HOPS=0) that is the connection's own address and forwarding headers are ignored, since anyone
// can send them; behind N proxies it is the address the outermost trusted proxy saw, N entries from the right of
// X-Forwarded-For (each proxy appends the address it received the request from).
import { PEER_ADDRESS_HEADER, peerAddressStamped } from '../server/peerAddress.ts';
import { settings } from '../settings.ts';

const MAX_LEN = 64;

export function clientAddress(headers: Headers, hops = settings.TRUSTED_PROXY_HOPS): string | null {
  const peer = peerAddressStamped() ? headers.get(PEER_ADDRESS_HEADER)?.slice(0, MAX_LEN) || null : null;
  if (hops === 0) return peer;
  // Next fills X-Forwarded-For with the socket's address when a request arrives without one.
  const chain = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (chain.length === 0) return peer;
  // Fewer entries than proxies: the request skipped some of them; the furthest address is the best we have.
  return chain[Math.max(0, chain.length - hops)].slice(0, MAX_LEN);
}
