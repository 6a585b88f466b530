/** Bytes of a digest the map keys by (two 32-bit words): 64 bits tell a million versions apart. */
export const DIGEST_KEY_BYTES = 8;
/** 2^32 ÷ the golden ratio (Fibonacci hashing): spreads the key words evenly over the slots. */
const FIBONACCI_MULTIPLIER = 0x9e3779b1;
/** The fewest slots a map starts with. */
const MIN_SLOTS = 16;
/** Entries expected when the caller cannot tell (no previous snapshot); the map doubles as it fills. */
const DEFAULT_CAPACITY = 1 << 16;

/**
 * A map from 64-bit digests to numbers, in typed arrays. Diffing a 1,000,000-row sheet needs one
 * entry per version; a JS Map of string keys costs ~100 bytes an entry (≈100 MB, measured with
 * bench/prices), this ~24 bytes at the same load. Open addressing, linear probing, no deletion
 * (an ingest only adds and overwrites).
 */
export class DigestMap {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private values: Float64Array;
  private used: Uint8Array;
  private count = 0;

  /** `capacity`: the entries expected (slots: the power of two at or above twice that). */
  constructor(capacity = DEFAULT_CAPACITY) {
    const size = 1 << Math.ceil(Math.log2(Math.max(MIN_SLOTS, capacity * 2)));
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.values = new Float64Array(size);
    this.used = new Uint8Array(size);
  }

  get size(): number {
    return this.count;
  }

  private slot(hi: number, lo: number): number {
    const mask = this.used.length - 1;
    let i = (lo ^ Math.imul(hi, FIBONACCI_MULTIPLIER)) & mask;
    while (this.used[i] && (this.hi[i] !== hi || this.lo[i] !== lo)) i = (i + 1) & mask;
    return i;
  }

  /** The value for the digest's first 8 bytes, or undefined. */
  get(digest: Buffer): number | undefined {
    const i = this.slot(digest.readUInt32BE(0), digest.readUInt32BE(4));
    return this.used[i] ? this.values[i] : undefined;
  }

  set(digest: Buffer, value: number): void {
    const hi = digest.readUInt32BE(0);
    const lo = digest.readUInt32BE(4);
    let i = this.slot(hi, lo);
    if (!this.used[i]) {
      // At most half the slots in use, so that probe runs stay short.
      if ((this.count + 1) * 2 > this.used.length) {
        this.grow();
        i = this.slot(hi, lo);
      }
      this.used[i] = 1;
      this.hi[i] = hi;
      this.lo[i] = lo;
      this.count++;
    }
    this.values[i] = value;
  }

  /** Every entry: the 8-byte digest prefix it is keyed by, and its value. */
  *entries(): Generator<[Buffer, number]> {
    for (let i = 0; i < this.used.length; i++) {
      if (!this.used[i]) continue;
      const key = Buffer.alloc(DIGEST_KEY_BYTES);
      key.writeUInt32BE(this.hi[i], 0);
      key.writeUInt32BE(this.lo[i], 4);
      yield [key, this.values[i]];
    }
  }

  private grow(): void {
    const { hi, lo, values, used } = this;
    const size = used.length * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.values = new Float64Array(size);
    this.used = new Uint8Array(size);
    this.count = 0;
    const key = Buffer.alloc(DIGEST_KEY_BYTES);
    for (let i = 0; i < used.length; i++) {
      if (!used[i]) continue;
      key.writeUInt32BE(hi[i], 0);
      key.writeUInt32BE(lo[i], 4);
      this.set(key, values[i]);
    }
  }
}
