// Photo ids as the ANN index's 64-bit keys: Flickr's decimal ids as they are, any other id by a hash kept in a side map.
import fs from 'node:fs';

/** Flickr ids are decimal integers well below 2^63; hashed keys have the top bit set, so the two never meet. */
const NUMERIC = /^[1-9]\d{0,17}$/;
const HASHED = 1n << 63n;
const MASK = HASHED - 1n;

/** FNV-1a, 64-bit: a stable key for an id that is not a number (fixtures, imports from other sources). */
function hash64(id: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(id, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return HASHED | (h & MASK);
}

export class AnnKeys {
  private readonly hashed = new Map<bigint, string>();
  dirty = false;

  /** The key of a photo id, or null when its hash collides with another id's (that photo stays out of the index). */
  keyOf(id: string): bigint | null {
    if (NUMERIC.test(id)) return BigInt(id);
    const key = hash64(id);
    const known = this.hashed.get(key);
    if (known === undefined) {
      this.hashed.set(key, id);
      this.dirty = true;
    } else if (known !== id) return null;
    return key;
  }

  idOf(key: bigint): string | null {
    return key & HASHED ? (this.hashed.get(key) ?? null) : key.toString();
  }

  static load(file: string): AnnKeys {
    const keys = new AnnKeys();
    if (fs.existsSync(file)) {
      const entries = JSON.parse(fs.readFileSync(file, 'utf8')) as [string, string][];
      for (const [k, id] of entries) keys.hashed.set(BigInt(k), id);
    }
    return keys;
  }

  save(file: string): void {
    fs.writeFileSync(`${file}.tmp`, JSON.stringify([...this.hashed].map(([k, id]) => [k.toString(), id])));
    fs.renameSync(`${file}.tmp`, file);
    this.dirty = false;
  }
}
