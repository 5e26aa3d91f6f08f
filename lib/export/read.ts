import fs from 'node:fs';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { CLEAN_BATTLE_FIELDS, validateCleanBattle, type CleanBattle } from './clean-battle';
import { WINNERS } from '../rating/types';
import { ChunkPump, openByteSource, type BattleInput } from './byte-source';
import { MalformedRecordError } from './errors';
import { JsonFramer, type FramedRecordSink } from './json-framer';
import type { JsonScanner } from './json-scan';
import { NameTable } from './name-table';
import { findSplit, MAIN_SHARE, PARALLEL_MIN_BYTES, SLOW_RECORD, startScanWorker, type StartedWorker, type WorkerPart } from './parallel-scan';

export type BattleFileFormat = 'json' | 'jsonl' | 'csv';

export interface ReadOptions {
  /** Default: detected from the first non-blank byte ('[' JSON array, '{' JSONL, else CSV). */
  format?: BattleFileFormat;
  /**
   * Called for each malformed record, which is then skipped. Without it the first malformed
   * record throws. Errors with `recoverable === false` (a JSON array whose syntax breaks, a CSV
   * quote that never closes) always throw: nothing after them can be read reliably.
   */
  onInvalid?: (error: MalformedRecordError) => void;
  /** Bytes consumed so far and the total when known (files). */
  onProgress?: (bytes: number, total: number | undefined) => void;
  /** Bytes per read (default 8 MiB); records may straddle reads at any byte. */
  chunkSize?: number;
}

export interface CleanBattleItem {
  record: CleanBattle;
  /** 1-based record number in the file. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
}

/** Format by content: the first non-blank byte of a file. */
export async function detectFormat(path: string): Promise<BattleFileFormat> {
  const handle = await fs.promises.open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    let p = 0;
    if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3;
    while (p < bytesRead && (buf[p] === 0x20 || buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x09)) p++;
    if (p < bytesRead && buf[p] === 0x5b) return 'json';
    if (p < bytesRead && buf[p] === 0x7b) return 'jsonl';
    return 'csv';
  } finally {
    await handle.close();
  }
}

async function resolveFormat(input: BattleInput, format?: BattleFileFormat): Promise<BattleFileFormat> {
  if (format) return format;
  if (typeof input === 'string') return detectFormat(input);
  throw new Error('the format of a stream must be given (json, jsonl or csv)');
}

function report(error: MalformedRecordError, onInvalid?: (e: MalformedRecordError) => void): void {
  if (!onInvalid || !error.recoverable) throw error;
  onInvalid(error);
}

function parseSlow(buf: Uint8Array, start: number, end: number, index: number, line: number): CleanBattle | MalformedRecordError {
  return parseSlowText(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'), index, line);
}

function parseSlowText(text: string, index: number, line: number): CleanBattle | MalformedRecordError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return new MalformedRecordError(index, line, `invalid JSON: ${(err as Error).message}`);
  }
  const v = validateCleanBattle(value);
  return v.ok ? v.record : new MalformedRecordError(index, line, v.reason);
}

/**
 * A record the byte scanner has already proved valid by the schema's rules (json-scan.ts): only
 * JSON.parse is left to do, and keeping the known, non-null fields, as the schema would. Saves
 * the schema's cost on the common, simple records (the import of a large file is mostly this).
 */
function parseVouched(buf: Uint8Array, start: number, end: number): CleanBattle {
  const value = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8')) as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const key of CLEAN_BATTLE_FIELDS) {
    const v = value[key];
    if (v !== undefined && v !== null) record[key] = v;
  }
  return record as unknown as CleanBattle;
}

/**
 * Streams validated clean_battle records from a JSON array, JSONL or CSV file (or stream),
 * reading in chunks: the file is never held in memory as a whole.
 */
export async function* readCleanBattles(input: BattleInput, options: ReadOptions = {}): AsyncGenerator<CleanBattleItem> {
  const format = await resolveFormat(input, options.format);
  if (format === 'csv') {
    yield* readCsv(input, options);
    return;
  }
  const source = await openByteSource(input);
  const framer = new JsonFramer(format);
  const batch: CleanBattleItem[] = [];
  const sink: FramedRecordSink = {
    record(sc, buf, start, end, index, line) {
      const r = sc.slow ? parseSlow(buf, start, end, index, line) : parseVouched(buf, start, end);
      if (r instanceof MalformedRecordError) report(r, options.onInvalid);
      else batch.push({ record: r, index, line });
    },
    invalid: (e) => report(e, options.onInvalid),
  };
  const pump = new ChunkPump(source, options.chunkSize);
  try {
    // Records are parsed synchronously a chunk at a time and handed out between chunks.
    while (await pump.fill()) {
      pump.consume(framer.process(pump.buf, pump.start, pump.end, pump.eof, sink));
      options.onProgress?.(pump.consumed, source.size);
      const items = batch.splice(0);
      for (const item of items) yield item;
    }
  } finally {
    await source.close();
  }
}

export interface BattleVisitor {
  /** A record the fast path validated: interned model ids, winner code 0..3, tstamp or NaN. */
  fast(a: number, b: number, winner: number, tstamp: number, index: number, line: number): void;
  /** A record validated by the schema (slow path, CSV, or when fast is off). */
  record(record: CleanBattle, index: number, line: number): void;
}

export interface ScanOptions extends ReadOptions {
  /** Interns model names found by the fast path (ids shared with whoever resolves them). */
  names: NameTable;
  /** Use the byte-level fast path for JSON records (default true). */
  fast?: boolean;
  /**
   * Threads for large JSON/JSONL files read with the fast path (default 1); see
   * parallel-scan.ts. Results, record numbers and errors are the same for any number.
   */
  threads?: number;
  /** Smallest file read by two threads (default 48 MiB). */
  parallelMinBytes?: number;
}

/**
 * The fast reader behind `pairwise ratings`: like readCleanBattles, but records that the byte
 * scanner can vouch for arrive as (model id, model id, winner, tstamp) without any per-record
 * objects; the rest go through JSON.parse and the schema.
 */
export async function scanBattles(input: BattleInput, options: ScanOptions, visitor: BattleVisitor): Promise<{ records: number }> {
  const format = await resolveFormat(input, options.format);
  if (format === 'csv') {
    let records = 0;
    for await (const item of readCsv(input, options)) {
      records = item.index;
      visitor.record(item.record, item.index, item.line);
    }
    return { records };
  }
  const fast = options.fast ?? true;
  const names = options.names;
  const sink: FramedRecordSink = {
    record(sc: JsonScanner, buf, start, end, index, line) {
      if (fast && !sc.slow) {
        visitor.fast(names.lookup(buf, sc.aStart, sc.aEnd), names.lookup(buf, sc.bStart, sc.bEnd), sc.winner, sc.tstamp, index, line);
        return;
      }
      const r = parseSlow(buf, start, end, index, line);
      if (r instanceof MalformedRecordError) report(r, options.onInvalid);
      else visitor.record(r, index, line);
    },
    invalid: (e) => report(e, options.onInvalid),
  };
  // A large file on two threads: a worker reads from a split point near the middle.
  let split: number | null = null;
  let worker: StartedWorker | null = null;
  if ((options.threads ?? 1) > 1 && fast && typeof input === 'string') {
    const size = (await fs.promises.stat(input)).size;
    if (size >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)) {
      split = await findSplit(input, Math.floor(size * MAIN_SHARE), format);
      if (split !== null) worker = startScanWorker(input, format, split, options.chunkSize ?? 8 << 20);
    }
  }
  const source = await openByteSource(input);
  const framer = new JsonFramer(format);
  const pump = new ChunkPump(source, options.chunkSize, split ?? Infinity);
  try {
    for (;;) {
      while (await pump.fill()) {
        pump.consume(framer.process(pump.buf, pump.start, pump.end, pump.eof, sink));
        options.onProgress?.(pump.consumed + (worker?.progress() ?? 0), source.size);
      }
      if (!pump.paused) break;
      // At the split: if our scan ends exactly between two records there, the worker's part follows.
      if (worker && pump.start === pump.end && framer.atRecordBoundary()) {
        const part = await worker.result;
        if (part && part.start === split) {
          const records = framer.records;
          mergePart(part, records, framer.currentLine - 1, names, visitor, options);
          return { records: records + part.records };
        }
      }
      worker?.stop();
      worker = null;
      pump.resume();
    }
  } catch (err) {
    worker?.stop();
    throw err;
  } finally {
    await source.close();
  }
  return { records: framer.records };
}

/** Hands the worker's records to the visitor in file order, with absolute numbers. */
function mergePart(part: WorkerPart, recordBase: number, lineBase: number, names: NameTable, visitor: BattleVisitor, options: ReadOptions): void {
  const ids = part.names.map((n) => names.idOf(n));
  let e = 0;
  for (let k = 0; k < part.count; k++) {
    const w = part.winner[k];
    const index = recordBase + k + 1;
    const line = lineBase + part.line[k];
    if (w < 4) {
      visitor.fast(ids[part.a[k]], ids[part.b[k]], w, part.tstamp[k], index, line);
      continue;
    }
    const x = part.extras[e++];
    if (w === SLOW_RECORD) {
      const r = parseSlowText(x.text!, recordBase + x.index, lineBase + x.line);
      if (r instanceof MalformedRecordError) report(r, options.onInvalid);
      else visitor.record(r, recordBase + x.index, lineBase + x.line);
    } else report(new MalformedRecordError(recordBase + x.index, lineBase + x.line, x.reason!), options.onInvalid);
  }
  if (part.fatal) throw new MalformedRecordError(recordBase + part.fatal.index, lineBase + part.fatal.line, part.fatal.reason, false);
}

const CSV_FIXED_COLUMNS = ['model_a', 'model_b', 'winner', 'tstamp'];

/** CSV strings to the types the schema expects (empty cells are absent). */
function csvRecord(columns: string[], row: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let k = 0; k < columns.length; k++) {
    const name = columns[k];
    const raw = row[k];
    if (raw === undefined || raw === '') continue;
    switch (name) {
      case 'tstamp':
      case 'turn': {
        const n = Number(raw);
        out[name] = raw.trim() !== '' && Number.isFinite(n) ? n : raw;
        break;
      }
      case 'anony': {
        const t = raw.trim().toLowerCase();
        out[name] = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : raw;
        break;
      }
      case 'conversation_a':
      case 'conversation_b':
      case 'conv_metadata':
        try {
          out[name] = JSON.parse(raw);
        } catch {
          out[name] = raw;
        }
        break;
      default:
        out[name] = raw;
    }
  }
  return out;
}

/**
 * CSV with a header row naming at least model_a, model_b and winner (other clean_battle columns
 * optional, unknown columns ignored), or without a header in the fixed order
 * model_a,model_b,winner[,tstamp]. Quoting per RFC 4180.
 */
async function* readCsv(input: BattleInput, options: ReadOptions): AsyncGenerator<CleanBattleItem> {
  const stream =
    typeof input === 'string'
      ? fs.createReadStream(input, { highWaterMark: 1 << 20 })
      : input instanceof Readable
        ? input
        : Readable.from(input as AsyncIterable<Uint8Array>);
  let total: number | undefined;
  if (typeof input === 'string') total = (await fs.promises.stat(input)).size;
  let bytes = 0;
  if (options.onProgress) stream.on('data', (chunk: Buffer) => options.onProgress!((bytes += chunk.length), total));
  const skipped: MalformedRecordError[] = [];
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: Boolean(options.onInvalid),
      on_skip: (err) => {
        skipped.push(new MalformedRecordError(0, Number((err as { lines?: unknown } | undefined)?.lines ?? 0), `invalid CSV: ${err?.message ?? 'unreadable record'}`));
        return undefined;
      },
    }),
  );
  let columns: string[] | null = null;
  let index = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      for (const e of skipped.splice(0)) report(new MalformedRecordError(++index, e.line, e.reason), options.onInvalid);
      const { record: row, info } = item;
      if (!columns) {
        const names = row.map((c) => c.trim());
        if (names.includes('model_a') && names.includes('model_b') && names.includes('winner')) {
          columns = names;
          continue;
        }
        if (!(WINNERS as readonly string[]).includes(row[2]?.trim() ?? '')) {
          throw new MalformedRecordError(1, info.lines, 'the first row is neither a header naming model_a, model_b and winner nor a battle (model_a,model_b,winner[,tstamp])', false);
        }
        columns = CSV_FIXED_COLUMNS.slice(0, Math.max(3, Math.min(row.length, 4)));
      }
      index++;
      if (row.length !== columns.length) {
        report(new MalformedRecordError(index, info.lines, `expected ${columns.length} columns, found ${row.length}`), options.onInvalid);
        continue;
      }
      const v = validateCleanBattle(csvRecord(columns, row));
      if (v.ok) yield { record: v.record, index, line: info.lines };
      else report(new MalformedRecordError(index, info.lines, v.reason), options.onInvalid);
    }
  } catch (err) {
    if (err instanceof MalformedRecordError) throw err;
    const e = err as { message?: string; lines?: number };
    throw new MalformedRecordError(index + 1, e.lines ?? 0, `invalid CSV: ${e.message ?? String(err)}`, false);
  } finally {
    if (typeof input === 'string') (stream as fs.ReadStream).destroy();
  }
}
