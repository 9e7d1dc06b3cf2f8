// A byte-bounded LRU cache of rendered images, with in-flight sharing so one image renders once at a time.

export class ByteLru {
  private items = new Map<string, Buffer>();
  private inflight = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.items.get(key);
    if (hit) {
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.items.delete(key);
      this.items.set(key, hit);
      return hit;
    }
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = make()
      .then((buf) => {
        this.put(key, buf);
        return buf;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private put(key: string, buf: Buffer): void {
    if (buf.length > this.maxBytes) return;
    this.items.set(key, buf);
    this.bytes += buf.length;
    for (const [k, v] of this.items) {
      if (this.bytes <= this.maxBytes) break;
      this.items.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): number {
    return this.items.size;
  }
}
