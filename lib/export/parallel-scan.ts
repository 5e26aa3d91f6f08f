import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { ChunkPump, openByteSource } from './byte-source';
import { MalformedRecordError } from './errors';
import { JsonFramer, type FramedRecordSink } from './json-framer';
import { NameTable } from './name-table';

/**
 * A large JSON array or JSONL file read by two threads: a worker scans the records from a split
 * point to the end while the calling thread scans the start. The split is found by looking for a
 * record boundary near the middle (a line start in JSONL, which is always one; `}` `,` `{` in a
 * JSON array, which might sit inside a string). The calling thread then checks it: its own scan
 * must end exactly at the split, between two records. If it does not — or the worker fails —
 * the calling thread simply reads on past the split itself, so the result is always what a
 * sequential read gives, record numbers, line numbers and errors included.
 *
 * The worker loads the TypeScript sources through tsx (scan-worker.mjs), as the command-line
 * tool does; nothing here runs unless asked for (`threads` > 1).
 */

/** Files smaller than this are read by one thread. */
export const PARALLEL_MIN_BYTES = 48 << 20;
/** Share of the file the calling thread reads: the worker starts later (it loads its code first). */
const MAIN_SHARE = 0.58;

const SLOW = 254;
const INVALID = 253;

interface WorkerInput {
  file: string;
  format: 'json' | 'jsonl';
  start: number;
  chunkSize: number;
}

interface Extra {
  /** Position in the record columns. */
  k: number;
  index: number;
  line: number;
  text?: string;
  reason?: string;
}

export interface WorkerPart {
  start: number;
  records: number;
  names: string[];
  count: number;
  a: Int32Array;
  b: Int32Array;
  winner: Uint8Array;
  tstamp: Float64Array;
  /** Line of each record, counted from 1 at `start`. */
  line: Int32Array;
  extras: Extra[];
  fatal: { index: number; line: number; reason: string } | null;
}

/** The first record boundary at or after `hint`, or null. Deterministic: both threads agree. */
export async function findSplit(file: string, hint: number, format: 'json' | 'jsonl'): Promise<number | null> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buf, 0, buf.length, hint);
    const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
    for (let k = 0; k < bytesRead; k++) {
      if (format === 'jsonl') {
        if (buf[k] === 0x0a && k + 1 < bytesRead) return hint + k + 1;
        continue;
      }
      if (buf[k] !== 0x7b) continue;
      let j = k - 1;
      while (j >= 0 && isWs(buf[j])) j--;
      if (j < 0 || buf[j] !== 0x2c) continue;
      j--;
      while (j >= 0 && isWs(buf[j])) j--;
      if (j >= 0 && buf[j] === 0x7d) return hint + k;
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** Worker side: scan from `start` to the end, keeping compact columns. */
async function scanPart(input: WorkerInput, onProgress: (bytes: number) => void): Promise<WorkerPart> {
  const names: string[] = [];
  const table = new NameTable((n) => names.push(n) - 1);
  let cap = 1 << 16;
  let a = new Int32Array(cap);
  let b = new Int32Array(cap);
  let winner = new Uint8Array(cap);
  let tstamp = new Float64Array(cap);
  let lines = new Int32Array(cap);
  let count = 0;
  const extras: Extra[] = [];
  const push = (ia: number, ib: number, w: number, t: number, line: number) => {
    if (count === cap) {
      cap *= 2;
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(x: T, make: (n: number) => T) => {
        const y = make(cap);
        y.set(x);
        return y;
      };
      a = grow(a, (n) => new Int32Array(n));
      b = grow(b, (n) => new Int32Array(n));
      winner = grow(winner, (n) => new Uint8Array(n));
      tstamp = grow(tstamp, (n) => new Float64Array(n));
      lines = grow(lines, (n) => new Int32Array(n));
    }
    lines[count] = line;
    a[count] = ia;
    b[count] = ib;
    winner[count] = w;
    tstamp[count++] = t;
  };
  const sink: FramedRecordSink = {
    record(sc, buf, start, end, index, line) {
      if (!sc.slow) {
        push(table.lookup(buf, sc.aStart, sc.aEnd), table.lookup(buf, sc.bStart, sc.bEnd), sc.winner, sc.tstamp, line);
        return;
      }
      extras.push({ k: count, index, line, text: Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8') });
      push(0, 0, SLOW, NaN, line);
    },
    invalid(e) {
      extras.push({ k: count, index: e.record, line: e.line, reason: e.reason });
      push(0, 0, INVALID, NaN, e.line);
    },
  };
  const framer = new JsonFramer(input.format, input.format === 'json');
  const source = await openByteSource(input.file, input.start);
  const pump = new ChunkPump(source, input.chunkSize);
  let fatal: WorkerPart['fatal'] = null;
  try {
    while (await pump.fill()) {
      pump.consume(framer.process(pump.buf, pump.start, pump.end, pump.eof, sink));
      onProgress(pump.consumed);
    }
  } catch (err) {
    if (!(err instanceof MalformedRecordError)) throw err;
    fatal = { index: err.record, line: err.line, reason: err.reason };
  } finally {
    await source.close();
  }
  return { start: input.start, records: framer.records, names, count, a, b, winner, tstamp, line: lines, extras, fatal };
}

/** Entry point of the worker thread (called from scan-worker.mjs). */
export async function runScanWorker(): Promise<void> {
  const input = workerData as WorkerInput;
  const part = await scanPart(input, (bytes) => parentPort!.postMessage({ progress: bytes }));
  parentPort!.postMessage({ part }, [part.a.buffer, part.b.buffer, part.winner.buffer, part.tstamp.buffer, part.line.buffer] as ArrayBuffer[]);
}

export interface StartedWorker {
  /** The worker's scan of [start, end of file), or null if it failed. */
  result: Promise<WorkerPart | null>;
  /** Bytes the worker has read so far. */
  progress(): number;
  stop(): void;
}

export function startScanWorker(file: string, format: 'json' | 'jsonl', start: number, chunkSize: number): StartedWorker {
  // Hidden from the app's bundler: the .mjs loads TypeScript through tsx (command line only).
  const workerFile = path.join(/* turbopackIgnore: true */ path.dirname(fileURLToPath(import.meta.url)), 'scan-worker.mjs');
  let bytes = 0;
  let worker: Worker | null = null;
  const result = new Promise<WorkerPart | null>((resolve) => {
    try {
      worker = new Worker(workerFile, { workerData: { file, format, start, chunkSize } satisfies WorkerInput });
    } catch {
      resolve(null);
      return;
    }
    worker.on('message', (m: { progress?: number; part?: WorkerPart }) => {
      if (m.part) resolve(m.part);
      else if (m.progress !== undefined) bytes = m.progress;
    });
    worker.on('error', () => resolve(null));
    worker.on('exit', () => resolve(null));
  });
  return {
    result,
    progress: () => bytes,
    stop: () => void (worker as Worker | null)?.terminate(),
  };
}

export { MAIN_SHARE, SLOW as SLOW_RECORD, INVALID as INVALID_RECORD };
