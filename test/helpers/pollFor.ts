// Waiting in tests for something another process or worker does: poll, never a fixed sleep.

/** Polls `probe` every 100 ms until it returns something truthy, which it returns; throws after `ms`. */
export async function pollFor<T>(
  what: string,
  probe: () => Promise<T | null | false>,
  ms: number,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
