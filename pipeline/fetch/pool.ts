// Runs an async function over items with a fixed number in flight, keeping results in input order.

export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  // The first failure stops the pool from starting items, and is thrown only once the items in flight have settled:
  // rejecting at once (Promise.all) left the other workers fetching and writing after the batch had failed (a full
  // disk's test found their temporary files still there).
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length && !failure) {
      try {
        signal?.throwIfAborted();
        const i = next++;
        results[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
