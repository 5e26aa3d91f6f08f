/**
 * A record that is not a valid clean_battle record (or a file that is not valid JSON/CSV where
 * the record would be). `record` is 1-based within the file (array element, JSONL line with
 * content, CSV data row); `line` is the 1-based line where the record starts.
 */
export class MalformedRecordError extends Error {
  readonly record: number;
  readonly line: number;
  readonly reason: string;
  /** False when the file cannot be read past this point (broken JSON framing). */
  readonly recoverable: boolean;

  constructor(record: number, line: number, reason: string, recoverable = true) {
    super(`record ${record} (line ${line}): ${reason}`);
    this.name = 'MalformedRecordError';
    this.record = record;
    this.line = line;
    this.reason = reason;
    this.recoverable = recoverable;
  }
}
