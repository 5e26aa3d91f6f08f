import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { CLEAN_BATTLE_FIELDS, type CleanBattle } from './clean-battle';
import type { BattleFileFormat } from './read';

/** Columns of the CSV format (conversations and conv_metadata are JSON-only). */
export const CSV_COLUMNS = ['model_a', 'model_b', 'winner', 'tstamp', 'judge', 'turn', 'anony', 'language', 'question_id'] as const;

export interface BattleWriter {
  write(record: CleanBattle): Promise<void>;
  /** Finishes the document (closing bracket for JSON arrays); does not end the stream. */
  end(): Promise<void>;
}

/** The record's known fields in the canonical order; absent fields are left out. */
export function orderedRecord(record: CleanBattle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of CLEAN_BATTLE_FIELDS) {
    const v = record[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

/** One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Streams records to `out` as a JSON array, JSON Lines or CSV, honouring backpressure. */
export function createBattleWriter(out: Writable, format: BattleFileFormat): BattleWriter {
  let count = 0;
  const put = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  return {
    async write(record) {
      const first = count++ === 0;
      if (format === 'json') await put(`${first ? '[\n' : ',\n'}${JSON.stringify(orderedRecord(record))}`);
      else if (format === 'jsonl') await put(`${JSON.stringify(orderedRecord(record))}\n`);
      else {
        const row = CSV_COLUMNS.map((c) => csvField(record[c])).join(',');
        await put(first ? `${CSV_COLUMNS.join(',')}\n${row}\n` : `${row}\n`);
      }
    },
    async end() {
      if (format === 'json') await put(count === 0 ? '[]\n' : '\n]\n');
      else if (format === 'csv' && count === 0) await put(`${CSV_COLUMNS.join(',')}\n`);
    },
  };
}

export async function writeCleanBattles(
  records: Iterable<CleanBattle> | AsyncIterable<CleanBattle>,
  out: Writable,
  format: BattleFileFormat,
): Promise<number> {
  const writer = createBattleWriter(out, format);
  let n = 0;
  for await (const r of records) {
    await writer.write(r);
    n++;
  }
  await writer.end();
  return n;
}
