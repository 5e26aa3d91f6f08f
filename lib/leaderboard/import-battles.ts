import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Store } from '../../db/store';
import {
  beginImport,
  discardImport,
  findImportBySha256,
  finishImport,
  openImportWriter,
  RUNNING_REPORT,
  type ImportFormat,
  type ImportRecord,
} from '../../db/queries/imports';
import { categorizePrompt } from '../battle/categorize';
import { styleFromConvMetadata } from '../rating';
import { detectFormat, MalformedRecordError, readCleanBattles, type CleanBattle } from '../export';
import { ImportCounts } from './import-counts';

/**
 * `pairwise import FILE`: clean_battle records (JSON array, JSONL or CSV) into the store as voted,
 * imported battles (source 'import', with the import's id), in file order. A file is recognised
 * by its sha256, so importing it again adds nothing; identical rows inside one file are separate
 * battles. Malformed records are skipped and reported with their record and line numbers.
 */

/** Skipped records listed one by one in the report; the rest are only counted by reason. */
export const MAX_EXAMPLES = 20;

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  imported: number;
  skipped: number;
}

export interface ImportReport {
  status: 'imported' | 'already-imported';
  importId: number;
  file: string;
  sha256: string;
  format: ImportFormat;
  imported: number;
  skipped: number;
  /** Skipped records per reason. */
  reasons: Record<string, number>;
  /** The first skipped records. */
  examples: { record: number; line: number; reason: string }[];
  models: number;
  /** The model names of the imported battles, sorted. */
  modelNames: string[];
  /** Vote times of the imported battles (unix ms), when the file had tstamps. */
  from: number | null;
  to: number | null;
  /** Records with conversations or conv_metadata: usable for style control. */
  withConversations: number;
  /** When the file was imported (for an earlier import: then). */
  importedAt: number;
  ms: number;
  /** Something that did not stop the import but is worth saying (it is not stored with the import). */
  warning?: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

function formatOf(file: string, given?: ImportFormat): ImportFormat | undefined {
  if (given) return given;
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return undefined; // a .json file may hold an array or JSON Lines: detect by content
  return undefined;
}

/** Reasons are grouped by their first clause: "invalid JSON: Unexpected token…" → "invalid JSON". */
function reasonKey(reason: string): string {
  const head = reason.split(/:\s/)[0];
  return head.length > 120 ? `${head.slice(0, 117)}…` : head;
}

/** clean_battle tstamps are unix seconds; a value that can only be milliseconds is taken as such. */
function tstampToMs(t: number): number {
  return Math.round(Math.abs(t) > 1e11 ? t : t * 1000);
}

type Turn = { role: 'user' | 'assistant'; content: string };

function conversation(c: CleanBattle['conversation_a']): Turn[] | null {
  if (!c || c.length === 0) return null;
  // Only the two roles a battle has; system prompts are not part of what the voter saw.
  const kept = c.filter((m): m is Turn => m.role === 'user' || m.role === 'assistant').map((m) => ({ role: m.role, content: m.content }));
  return kept.length ? kept : null;
}

export function toImportRecord(r: CleanBattle, recordNo: number, fallbackMs: number): ImportRecord {
  const convA = conversation(r.conversation_a);
  const convB = conversation(r.conversation_b);
  const firstPrompt = (convA ?? convB)?.find((m) => m.role === 'user')?.content;
  const facts = firstPrompt !== undefined ? categorizePrompt(firstPrompt) : null;
  const userTurns = convA ? convA.filter((m) => m.role === 'user').length : 0;
  return {
    recordNo,
    modelA: r.model_a,
    modelB: r.model_b,
    winner: r.winner,
    createdAt: r.tstamp !== undefined ? tstampToMs(r.tstamp) : fallbackMs,
    judge: r.judge ?? null,
    turns: r.turn ?? (userTurns || 1),
    anony: r.anony ?? null,
    language: r.language ?? (facts ? facts.language : null),
    questionId: r.question_id !== undefined ? String(r.question_id) : null,
    isCode: facts ? facts.isCode : null,
    promptChars: facts ? facts.promptChars : null,
    conversationA: convA,
    conversationB: convB,
    styleFeatures: styleOfMetadata(r.conv_metadata),
  };
}

/** Chatbot Arena's per-battle answer statistics, kept for style control (as `pairwise ratings` reads them). */
function styleOfMetadata(meta: CleanBattle['conv_metadata']): string | null {
  if (!meta) return null;
  const a = styleFromConvMetadata(meta, 'a');
  const b = styleFromConvMetadata(meta, 'b');
  return a && b ? JSON.stringify({ a, b }) : null;
}

export async function importBattles({
  db,
  file,
  format: givenFormat,
  onProgress,
  now = Date.now,
  batchSize,
}: {
  db: Store;
  file: string;
  format?: ImportFormat;
  onProgress?: (p: ImportProgress) => void;
  now?: () => number;
  /** Records per batch written; default the store's (tests give a small one to see several). */
  batchSize?: number;
}): Promise<ImportReport> {
  const started = now();
  const stat = await fs.promises.stat(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  const sha256 = await sha256File(file);
  const fileName = path.basename(file);

  const earlier = await findImportBySha256({ db, sha256 });
  if (earlier && earlier.report !== RUNNING_REPORT) {
    const report = JSON.parse(earlier.report) as Partial<ImportReport>;
    return {
      ...emptyReport(file, sha256, earlier.format),
      ...report,
      status: 'already-imported',
      importId: earlier.id,
      imported: earlier.importedCount,
      skipped: earlier.skippedCount,
      importedAt: earlier.createdAt,
      ms: now() - started,
    };
  }
  // A run that was cut short left a partial import behind: remove it and start over.
  if (earlier) await discardImport({ db, importId: earlier.id });

  const format: ImportFormat = formatOf(file, givenFormat) ?? (await detectFormat(file));
  const importedAt = now();
  let counts = await ImportCounts.open({ db, importedAt });
  const importId = await beginImport({ db, sha256, fileName, format, now: importedAt });
  const report: ImportReport = { ...emptyReport(file, sha256, format), importId, importedAt };
  const models = new Set<string>();
  let batch: ImportRecord[] = [];
  let bytes = 0;

  // On Postgres a batch is stored while the next is read and parsed (db/queries/pg/imports.ts).
  const writer = openImportWriter({
    db,
    importId,
    onWritten: (records) => {
      report.imported += records;
      onProgress?.({ bytes, totalBytes: stat.size, imported: report.imported, skipped: report.skipped });
    },
  });
  const flush = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    await writer.write(rows);
    // A rating pass that counted the batches written so far (the app runs beside the import)
    // leaves this import's own fold nothing to add: its votes are let go at once.
    if (counts && !(await counts.stillApplies(db))) counts = null;
  };

  try {
    const items = readCleanBattles(file, {
      format,
      onInvalid: (e: MalformedRecordError) => {
        report.skipped++;
        const key = reasonKey(e.reason);
        report.reasons[key] = (report.reasons[key] ?? 0) + 1;
        if (report.examples.length < MAX_EXAMPLES) report.examples.push({ record: e.record, line: e.line, reason: e.reason });
      },
      onProgress: (b) => {
        bytes = b;
      },
    });
    for await (const { record, index } of items) {
      const row = toImportRecord(record, index, importedAt);
      models.add(row.modelA);
      models.add(row.modelB);
      if (record.tstamp !== undefined) {
        if (report.from === null || row.createdAt < report.from) report.from = row.createdAt;
        if (report.to === null || row.createdAt > report.to) report.to = row.createdAt;
      }
      if (row.conversationA || row.conversationB || row.styleFeatures) report.withConversations++;
      batch.push(row);
      counts?.add(row);
      if (batch.length >= (batchSize ?? writer.batchSize)) await flush();
    }
    await flush();
    await writer.finish();
  } catch (err) {
    await writer.settle();
    await discardImport({ db, importId });
    if (err instanceof MalformedRecordError) {
      throw new Error(`${fileName} cannot be read past record ${err.record} (line ${err.line}): ${err.reason}. Nothing was imported.`, { cause: err });
    }
    throw err;
  }

  report.models = models.size;
  report.modelNames = [...models].sort();
  onProgress?.({ bytes: stat.size, totalBytes: stat.size, imported: report.imported, skipped: report.skipped });
  const { status: _s, ms: _ms, importedAt: _at, ...stored } = report;
  await finishImport({ db, importId, importedCount: report.imported, skippedCount: report.skipped, report: JSON.stringify(stored) });
  try {
    await counts?.fold({ db, importId });
  } catch (err) {
    // The battles are in; the app's next counts pass reads them from the store instead.
    report.warning = `the board's counts could not take the imported votes in here (${(err as Error).message}); the app's next rating pass reads them from the store instead`;
  }
  report.ms = now() - started;
  return report;
}

function emptyReport(file: string, sha256: string, format: ImportFormat): ImportReport {
  return {
    status: 'imported',
    importId: 0,
    file,
    sha256,
    format,
    imported: 0,
    skipped: 0,
    reasons: {},
    examples: [],
    models: 0,
    modelNames: [],
    from: null,
    to: null,
    withConversations: 0,
    importedAt: 0,
    ms: 0,
  };
}
