// Turns sorted id streams into batches: keyset pages in, fixed-size batches out, a limit honoured on the way.

export type IdPage = (afterId: string | null, limit: number) => Promise<string[]>;

/** Every id a keyset-paged query yields, in order. */
export async function* pagedIds(page: IdPage, pageSize = 5000): AsyncGenerator<string> {
  let after: string | null = null;
  for (;;) {
    const ids = await page(after, pageSize);
    yield* ids;
    if (ids.length < pageSize) return;
    after = ids[ids.length - 1];
  }
}

/** Merges ascending id streams into one ascending stream of unique ids, tagged with the streams that held each. */
export async function* mergeIds<K extends string>(
  streams: Record<K, AsyncIterable<string>>,
): AsyncGenerator<{ id: string; from: K[] }> {
  const its = (Object.keys(streams) as K[]).map((k) => ({
    k,
    it: streams[k][Symbol.asyncIterator](),
    head: undefined as string | undefined,
  }));
  for (const s of its) s.head = (await s.it.next()).value ?? undefined;
  for (;;) {
    // Ids compare as the database orders text (the "C" collation the embedded server uses): plain code-unit order.
    let min: string | undefined;
    for (const s of its) if (s.head !== undefined && (min === undefined || s.head < min)) min = s.head;
    if (min === undefined) return;
    const from: K[] = [];
    for (const s of its) {
      if (s.head === min) {
        from.push(s.k);
        s.head = (await s.it.next()).value ?? undefined;
      }
    }
    yield { id: min, from };
  }
}

/** Groups items into batches of `size`, at most `limit` items in all. */
export async function* inBatches<T>(
  items: AsyncIterable<T>,
  size: number,
  limit: number | null,
): AsyncGenerator<T[]> {
  let batch: T[] = [];
  let n = 0;
  for await (const item of items) {
    if (limit !== null && n >= limit) break;
    batch.push(item);
    n++;
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Keeps the ids `keep` accepts, asking it about `size` ids at a time; order is preserved. */
export async function* filterIds(
  ids: AsyncIterable<string>,
  keep: (chunk: string[]) => Promise<Set<string>>,
  size = 2000,
): AsyncGenerator<string> {
  let chunk: string[] = [];
  const flush = async function* () {
    const kept = await keep(chunk);
    for (const id of chunk) if (kept.has(id)) yield id;
    chunk = [];
  };
  for await (const id of ids) {
    chunk.push(id);
    if (chunk.length >= size) yield* flush();
  }
  if (chunk.length) yield* flush();
}
