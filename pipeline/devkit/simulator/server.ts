// A Flickr-compatible HTTP server on 127.0.0.1 over a synthetic universe: REST API, static images, fault injection.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Universe } from '../universe/types.ts';
import { FlickrFailure } from './failure.ts';
import { createFaults, type Faults } from './faults.ts';
import { isImagePath, serveImage } from './imageRoute.ts';
import { ByteLru } from './lru.ts';
import { getExif, getInfo, getSizes } from './methods.ts';
import { searchResponse } from './search.ts';
import { indexUniverse, type UniverseIndex } from './universeIndex.ts';

export type SimulatorOptions = {
  universe: Pick<Universe, 'photos' | 'accounts'>;
  port?: number;
  faults?: Faults;
  /** When set, only this key is valid; otherwise any non-empty key is. */
  apiKey?: string;
  /** Unique results one query can return before pages repeat (Flickr: about 4,000). */
  resultCap?: number;
  /** Bytes of rendered images kept in memory. */
  imageCacheBytes?: number;
};

export type SimulatorStats = { requests: Record<string, number>; faults: number; images: number };

export type FlickrSimulator = {
  /** REST endpoint, for FLICKR_API_BASE. */
  apiBase: string;
  /** host:port of the image URLs, for IMAGE_HOSTS. */
  imageHost: string;
  /** http://127.0.0.1:port */
  url: string;
  setFaults: (f: Faults) => void;
  stats: () => SimulatorStats;
  close: () => Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    })
    .end(body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFlickrSimulator(opts: SimulatorOptions): Promise<FlickrSimulator> {
  const index: UniverseIndex = indexUniverse(opts.universe);
  const faults = createFaults(opts.faults);
  const cache = new ByteLru(opts.imageCacheBytes ?? 64 * 1024 * 1024);
  const stats: SimulatorStats = { requests: {}, faults: 0, images: 0 };
  const resultCap = opts.resultCap ?? 4000;
  let origin = '';

  function call(params: Record<string, string>): Record<string, unknown> {
    const key = params.api_key;
    if (!key || (opts.apiKey !== undefined && key !== opts.apiKey))
      throw new FlickrFailure(100, 'Invalid API Key (Key has invalid format)');
    switch (params.method) {
      case 'flickr.photos.search':
        return searchResponse(index, params, { origin, resultCap });
      case 'flickr.photos.getExif':
        return getExif(index, params);
      case 'flickr.people.getInfo':
        return getInfo(index, params);
      case 'flickr.photos.getSizes':
        return getSizes(index, params, origin);
      case 'flickr.test.echo':
        return { ...params, stat: 'ok' };
      default:
        throw new FlickrFailure(112, `Method "${params.method}" not found`);
    }
  }

  async function rest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = Object.fromEntries(url.searchParams);
    if (req.method === 'POST')
      Object.assign(params, Object.fromEntries(new URLSearchParams(await readBody(req))));
    const method = params.method ?? '';
    stats.requests[method] = (stats.requests[method] ?? 0) + 1;
    const fault = faults.api();
    if (fault.kind !== 'none') stats.faults++;
    if (fault.kind === 'http') {
      send(
        res,
        fault.status,
        fault.status === 429
          ? '{"stat":"fail","code":429,"message":"Too Many Requests"}'
          : 'Service Unavailable',
        fault.status === 429 ? { 'retry-after': '1' } : { 'content-type': 'text/html' },
      );
      return;
    }
    let json: Record<string, unknown>;
    try {
      if (fault.kind === 'fail105') throw new FlickrFailure(105, 'Service currently unavailable');
      if ((params.format ?? 'rest') !== 'json')
        throw new FlickrFailure(111, `Format "${params.format ?? 'rest'}" not found`);
      json = call(params);
    } catch (e) {
      if (!(e instanceof FlickrFailure)) throw e;
      json = { stat: 'fail', code: e.code, message: e.message };
    }
    let body = JSON.stringify(json);
    if (params.nojsoncallback !== '1') body = `jsonFlickrApi(${body})`;
    if (fault.kind === 'truncate') body = body.slice(0, Math.floor(body.length * 0.6));
    send(res, 200, body);
  }

  async function admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/__sim/faults' && req.method === 'POST')
      faults.set(JSON.parse((await readBody(req)) || '{}') as Faults);
    if (url.pathname === '/__sim/faults') return send(res, 200, JSON.stringify(faults.get()));
    if (url.pathname === '/__sim/stats') return send(res, 200, JSON.stringify(stats));
    send(res, 404, '{"error":"not found"}');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    void (async () => {
      if (url.pathname.startsWith('/__sim/')) return admin(req, res, url);
      const delay = faults.delay();
      if (delay) await sleep(delay);
      if (url.pathname === '/services/rest' || url.pathname === '/services/rest/') return rest(req, res, url);
      if ((req.method === 'GET' || req.method === 'HEAD') && isImagePath(url.pathname)) {
        stats.images++;
        return serveImage(req, res, url.pathname, { index, cache, faults });
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    })().catch((e: unknown) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    apiBase: `${origin}/services/rest`,
    imageHost: `127.0.0.1:${port}`,
    url: origin,
    setFaults: (f) => faults.set(f),
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
