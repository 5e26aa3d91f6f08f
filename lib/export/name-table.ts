/**
 * Interns byte strings (model names straight from the input buffer) to small integer ids without
 * building a JS string per record: a cheap hash of the length and the first and last eight
 * bytes, open addressing, and a full byte comparison on every hit. The id
 * of a new name comes from `resolve(name)`, so the table can share ids with a BattleAggregator.
 */
export class NameTable {
  private keys: Uint8Array = new Uint8Array(4096);
  private keyUsed = 0;
  private slotHash: Int32Array = new Int32Array(1024);
  private slotId: Int32Array = new Int32Array(1024).fill(-1);
  private slotKeyStart: Int32Array = new Int32Array(1024);
  private slotKeyLen: Int32Array = new Int32Array(1024);
  private count = 0;
  private readonly byName = new Map<string, number>();

  constructor(private readonly resolve: (name: string) => number) {}

  /** Id of a name given as a string (each distinct name is resolved once, whichever way it comes). */
  idOf(name: string): number {
    let id = this.byName.get(name);
    if (id === undefined) {
      id = this.resolve(name);
      this.byName.set(name, id);
    }
    return id;
  }

  /** Id of the ASCII name in buf[start, end). */
  lookup(buf: Uint8Array, start: number, end: number): number {
    const h = hashBytes(buf, start, end);
    const mask = this.slotId.length - 1;
    const len = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = this.slotId[s];
      if (id < 0) return this.insert(s, h, buf, start, end);
      if (this.slotHash[s] !== h || this.slotKeyLen[s] !== len) continue;
      const ks = this.slotKeyStart[s];
      let same = true;
      for (let k = 0; k < len; k++) {
        if (this.keys[ks + k] !== buf[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
  }

  private insert(slot: number, h: number, buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    let name = '';
    for (let p = start; p < end; p++) name += String.fromCharCode(buf[p]);
    const id = this.idOf(name);
    if (this.keyUsed + len > this.keys.length) {
      const next = new Uint8Array(Math.max(this.keys.length * 2, this.keyUsed + len));
      next.set(this.keys);
      this.keys = next;
    }
    this.keys.set(buf.subarray(start, end), this.keyUsed);
    this.slotHash[slot] = h;
    this.slotId[slot] = id;
    this.slotKeyStart[slot] = this.keyUsed;
    this.slotKeyLen[slot] = len;
    this.keyUsed += len;
    if (++this.count * 2 > this.slotId.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const oldHash = this.slotHash;
    const oldId = this.slotId;
    const oldStart = this.slotKeyStart;
    const oldLen = this.slotKeyLen;
    const size = oldId.length * 2;
    this.slotHash = new Int32Array(size);
    this.slotId = new Int32Array(size).fill(-1);
    this.slotKeyStart = new Int32Array(size);
    this.slotKeyLen = new Int32Array(size);
    for (let s = 0; s < oldId.length; s++) {
      if (oldId[s] < 0) continue;
      let t = oldHash[s] & (size - 1);
      while (this.slotId[t] >= 0) t = (t + 1) & (size - 1);
      this.slotHash[t] = oldHash[s];
      this.slotId[t] = oldId[s];
      this.slotKeyStart[t] = oldStart[s];
      this.slotKeyLen[t] = oldLen[s];
    }
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  let h = Math.imul(len, 0x9e3779b1);
  if (len >= 8) {
    h = Math.imul(h ^ (buf[start] | (buf[start + 1] << 8) | (buf[start + 2] << 16) | (buf[start + 3] << 24)), 0x85ebca6b);
    h = Math.imul(h ^ (buf[start + 4] | (buf[start + 5] << 8) | (buf[start + 6] << 16) | (buf[start + 7] << 24)), 0xc2b2ae35);
    h = Math.imul(h ^ (buf[end - 8] | (buf[end - 7] << 8) | (buf[end - 6] << 16) | (buf[end - 5] << 24)), 0x85ebca6b);
    h = Math.imul(h ^ (buf[end - 4] | (buf[end - 3] << 8) | (buf[end - 2] << 16) | (buf[end - 1] << 24)), 0xc2b2ae35);
  } else {
    for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p], 0x01000193);
  }
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return h ^ (h >>> 13);
}
