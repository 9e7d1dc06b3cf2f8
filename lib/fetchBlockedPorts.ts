// Ports that fetch() refuses to connect to ("bad ports" in the WHATWG Fetch standard, which Node's fetch follows):
// a Flickr simulator or image host on one of them fails every request with "bad port". Checked where a user picks
// a port or a URL, so the mistake is a clear error up front rather than a run full of failed batches.
const BLOCKED = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export function isFetchBlockedPort(port: number): boolean {
  return port !== 0 && BLOCKED.has(port);
}

/** The port a URL names (its scheme's default when none), or null for a URL without one. */
export function blockedPortOf(url: string): number | null {
  try {
    const u = new URL(url);
    if (!u.port) return null;
    const port = Number(u.port);
    return isFetchBlockedPort(port) ? port : null;
  } catch {
    return null;
  }
}
