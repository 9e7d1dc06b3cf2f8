// A simulator or image host on a port fetch() refuses fails every request with "bad port": the CLI and the settings
// refuse such ports up front. The list must be the one this Node's fetch applies.
import { describe, expect, it } from 'vitest';
import { blockedPortOf, isFetchBlockedPort } from '../../lib/fetchBlockedPorts.ts';
import { flag, parseFlags } from '../../pipeline/cli/flags.ts';

const refusal = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`).then(
    () => 'answered',
    (e: Error & { cause?: Error }) => String(e.cause?.message ?? e.message),
  );

describe('fetch-blocked ports', () => {
  it('match what fetch refuses: blocked ports fail with "bad port", their neighbours only fail to connect', async () => {
    for (const port of [4190, 6000, 6667, 10080, 5060]) {
      expect(isFetchBlockedPort(port)).toBe(true);
      expect(await refusal(port)).toMatch(/bad port/);
    }
    for (const port of [4191, 3000, 4010, 5999]) {
      expect(isFetchBlockedPort(port)).toBe(false);
      expect(await refusal(port)).not.toMatch(/bad port/);
    }
  });

  it('are named in URLs', () => {
    expect(blockedPortOf('http://127.0.0.1:6667/services/rest')).toBe(6667);
    expect(blockedPortOf('http://127.0.0.1:4010/services/rest')).toBeNull();
    expect(blockedPortOf('https://api.flickr.com/services/rest')).toBeNull();
  });

  it('are refused by a fetched port flag with a one-line reason', () => {
    const flags = { p: flag.port('port', { fetched: true, default: 4010 }) };
    expect(parseFlags(flags, ['--p', '4191']).values.p).toBe(4191);
    expect(() => parseFlags(flags, ['--p', '4190'])).toThrow(/blocked ports.*got "4190"/);
  });
});
