import fs from 'node:fs';
import type { Readable } from 'node:stream';

/** Where battle files come from: a path (read in large chunks straight into our buffer) or a stream. */
export type BattleInput = string | Readable | AsyncIterable<Uint8Array>;

export interface ByteSource {
  /** Reads up to `length` bytes into buf at offset; 0 means end of input. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  /** Total size in bytes when known (files), for progress. */
  readonly size: number | undefined;
  close(): Promise<void>;
}

/** `start`: byte offset to read a file from (the second part of a file split between threads). */
export async function openByteSource(input: BattleInput, start = 0): Promise<ByteSource> {
  if (typeof input === 'string') {
    const handle = await fs.promises.open(input, 'r');
    const { size } = await handle.stat();
    let position = start;
    return {
      size,
      async read(buf, offset, length) {
        const { bytesRead } = await handle.read(buf, offset, length, position);
        position += bytesRead;
        return bytesRead;
      },
      close: () => handle.close(),
    };
  }
  const it = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  let pending: Uint8Array | null = null;
  let pendingAt = 0;
  return {
    size: undefined,
    async read(buf, offset, length) {
      while (!pending || pendingAt >= pending.length) {
        const next = await it.next();
        if (next.done) return 0;
        pending = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        pendingAt = 0;
      }
      const n = Math.min(length, pending.length - pendingAt);
      buf.set(pending.subarray(pendingAt, pendingAt + n), offset);
      pendingAt += n;
      return n;
    },
    async close() {
      await it.return?.();
    },
  };
}

/**
 * Chunked reading for record scanners: keeps the unconsumed tail of the previous chunk at the
 * front of the buffer and reads the next chunk behind it. The buffer grows only when a single
 * record is larger than a chunk, so memory stays at about two chunks whatever the file size.
 *
 *   while (await pump.fill()) pump.consume(scan(pump.buf, pump.start, pump.end, pump.eof));
 */
export class ChunkPump {
  buf: Buffer;
  start = 0;
  end = 0;
  eof = false;
  /** True when fill() stopped at `stopAt` (resume() lifts it). */
  paused = false;
  /** Bytes consumed before buf[0]. */
  private before = 0;
  private finished = false;

  /** `stopAt`: read no byte at or past this offset until resume(). */
  constructor(
    private readonly source: ByteSource,
    private readonly chunkSize = 8 << 20,
    private stopAt = Infinity,
  ) {
    this.buf = Buffer.allocUnsafe(chunkSize * 2);
  }

  resume(): void {
    this.stopAt = Infinity;
    this.paused = false;
  }

  /** Bytes consumed so far. */
  get consumed(): number {
    return this.before + this.start;
  }

  /** Reads the next chunk; false once the previous call delivered the end of input. */
  async fill(): Promise<boolean> {
    if (this.finished) return false;
    if (this.eof) {
      this.finished = true;
      return false;
    }
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.before += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (this.buf.length - this.end < this.chunkSize) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + this.chunkSize));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const room = this.stopAt - (this.before + this.end);
    if (room <= 0) {
      this.paused = true;
      return false;
    }
    let got = 0;
    const target = this.end + Math.min(this.chunkSize, room);
    while (this.end < target) {
      const n = await this.source.read(this.buf, this.end, target - this.end);
      if (n === 0) {
        this.eof = true;
        break;
      }
      this.end += n;
      got += n;
    }
    if (got === 0) this.eof = true;
    return true;
  }

  consume(position: number): void {
    this.start = position;
  }
}
