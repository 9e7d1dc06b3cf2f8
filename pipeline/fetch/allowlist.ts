// Host allowlist for image downloads: IMAGE_HOSTS entries are `host` (default port only) or `host:port`.

export type HostAllowlist = { allows: (url: string | URL) => boolean; entries: readonly string[] };

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/** `host` alone admits only the scheme's default port, so an allowlisted name cannot reach other services on that host. */
export function createAllowlist(entries: readonly string[]): HostAllowlist {
  const exact = new Set<string>();
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    if (!e) continue;
    exact.add(e);
  }
  const allows = (input: string | URL): boolean => {
    let u: URL;
    try {
      u = typeof input === 'string' ? new URL(input) : input;
    } catch {
      return false;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    if (u.username || u.password) return false;
    const host = u.hostname.toLowerCase();
    const port = u.port || defaultPort(u.protocol);
    if (exact.has(`${host}:${port}`)) return true;
    return port === defaultPort(u.protocol) && exact.has(host);
  };
  return { allows, entries: [...exact] };
}
