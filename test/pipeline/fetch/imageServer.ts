// A tiny real HTTP server for fetch tests: serves fixed routes (images, junk, redirects, errors) on 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startServer(
  routes: Record<string, Handler>,
): Promise<{ origin: string; host: string; hits: Record<string, number>; close: () => Promise<void> }> {
  const hits: Record<string, number> = {};
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const h = routes[path];
    if (!h) res.writeHead(404).end('not found');
    else h(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
