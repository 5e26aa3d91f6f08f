import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import { readCleanBattles, type BattleFileFormat, type MalformedRecordError } from '../export';
import type { PairJudgment } from './agreement';

/**
 * Pairwise human judgments published by others, read into study judgments so that the same
 * agreement statistics (and an imported study) can be computed on them:
 *
 * - `clean-battle`: Chatbot Arena's clean_battle records (JSON array, JSON Lines or CSV) with a
 *   `judge` and a `question_id` per record; the item is the question id. This is also the
 *   bundle's judgments.json.
 * - `mt-bench`: MT-Bench human judgments (lmsys/mt_bench_human_judgments, same fields plus `turn`):
 *   the item is the question and turn ("81/2"), since each turn was judged on its own.
 * - `crowd-csv`: one crowd-worker judgment a row with the sides named, as in LLMFAO
 *   (`prompt,model_x,model_y,worker,winner,left,right` with winner left | right | tie); the item
 *   is the prompt, the annotator the worker.
 */

export const EXTERNAL_FORMATS = ['clean-battle', 'mt-bench', 'crowd-csv'] as const;
export type ExternalFormat = (typeof EXTERNAL_FORMATS)[number];

export interface ExternalRead {
  judgments: PairJudgment[];
  /** Records that could not be used, with where and why (the first 20). */
  skipped: number;
  problems: string[];
}

export class ExternalFormatError extends Error {}

async function readBattleRecords(file: string, format: ExternalFormat, fileFormat?: BattleFileFormat): Promise<ExternalRead> {
  const judgments: PairJudgment[] = [];
  const problems: string[] = [];
  let skipped = 0;
  const skip = (where: string, why: string) => {
    skipped++;
    if (problems.length < 20) problems.push(`${where}: ${why}`);
  };
  for await (const { record, index, line } of readCleanBattles(file, {
    format: fileFormat,
    onInvalid: (e: MalformedRecordError) => skip(`record ${e.record} (line ${e.line})`, e.reason),
  })) {
    const where = `record ${index} (line ${line})`;
    if (!record.judge) {
      skip(where, 'no judge: agreement needs to know who judged');
      continue;
    }
    if (record.question_id === undefined) {
      skip(where, 'no question_id: agreement needs to know what was judged');
      continue;
    }
    const item = format === 'mt-bench' ? `${record.question_id}/${record.turn ?? 1}` : String(record.question_id);
    judgments.push({ annotator: record.judge, item, modelA: record.model_a, modelB: record.model_b, winner: record.winner, tstamp: record.tstamp });
  }
  return { judgments, skipped, problems };
}

const CROWD_WINNERS = { left: 'model_a', right: 'model_b', tie: 'tie' } as const;

async function readCrowdCsv(file: string): Promise<ExternalRead> {
  const judgments: PairJudgment[] = [];
  const problems: string[] = [];
  let skipped = 0;
  const parser = fs.createReadStream(file).pipe(parseCsv({ columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }));
  let checkedHeader = false;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    if (!checkedHeader) {
      const missing = ['prompt', 'worker', 'winner', 'left', 'right'].filter((c) => !(c in record));
      if (missing.length) throw new ExternalFormatError(`${file}: crowd-csv needs the columns prompt, worker, winner, left, right (missing: ${missing.join(', ')})`);
      checkedHeader = true;
    }
    const winner = CROWD_WINNERS[record.winner?.toLowerCase() as keyof typeof CROWD_WINNERS];
    const why = !winner
      ? `winner "${record.winner}" is not left, right or tie`
      : !record.left || !record.right
        ? 'left and right must name the models'
        : record.left === record.right
          ? 'left and right are the same model'
          : !record.worker
            ? 'no worker'
            : null;
    if (why) {
      skipped++;
      if (problems.length < 20) problems.push(`line ${info.lines}: ${why}`);
      continue;
    }
    judgments.push({ annotator: record.worker, item: record.prompt, modelA: record.left, modelB: record.right, winner });
  }
  return { judgments, skipped, problems };
}

export async function readExternalJudgments(file: string, format: ExternalFormat, fileFormat?: BattleFileFormat): Promise<ExternalRead> {
  if (!fs.existsSync(file)) throw new ExternalFormatError(`file not found: ${file}`);
  return format === 'crowd-csv' ? readCrowdCsv(file) : readBattleRecords(file, format, fileFormat);
}
