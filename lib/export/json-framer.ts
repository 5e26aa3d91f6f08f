import { MalformedRecordError } from './errors';
import { BAD, JsonScanner, NEED_MORE } from './json-scan';

/**
 * Receives each record found by the framer. `scanner` holds the fast-path fields of the record
 * (valid unless scanner.slow); buf[start, end) is the record's JSON text. `index` is the 1-based
 * record number and `line` the line where the record starts.
 */
export interface FramedRecordSink {
  record(scanner: JsonScanner, buf: Uint8Array, start: number, end: number, index: number, line: number): void;
  /** A record that is not even valid JSON (JSONL only: the next line is still readable). */
  invalid(error: MalformedRecordError): void;
}

const enum ArrayState {
  Start,
  FirstElement,
  AfterElement,
  Element,
  Done,
}

/**
 * Finds records in a JSON array (`[ {...}, {...} ]`) or in JSON Lines, chunk by chunk. A JSON
 * array whose syntax breaks cannot be resynchronised, so that is always fatal; a broken JSONL
 * line only invalidates that record.
 */
export class JsonFramer {
  readonly scanner = new JsonScanner();
  private state = ArrayState.Start;
  private index = 0;
  private line = 1;
  private bomChecked = false;

  /**
   * `midArray`: the bytes start at a record of a JSON array (after a comma), as the second part
   * of a file split between threads does.
   */
  constructor(
    private readonly format: 'json' | 'jsonl',
    midArray = false,
  ) {
    if (midArray) {
      this.state = ArrayState.Element;
      this.bomChecked = true;
    }
  }

  /** The line the next byte is on. */
  get currentLine(): number {
    return this.line;
  }

  /** True between records: everything given so far was consumed and the next record may start. */
  atRecordBoundary(): boolean {
    return this.format === 'jsonl' || this.state === ArrayState.Element;
  }

  get records(): number {
    return this.index;
  }

  /** Consumes whole records of buf[start, end); returns where the unconsumed bytes begin. */
  process(buf: Uint8Array, start: number, end: number, eof: boolean, sink: FramedRecordSink): number {
    if (!this.bomChecked) {
      if (end - start < 3 && !eof) return start;
      this.bomChecked = true;
      if (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    return this.format === 'json' ? this.processArray(buf, start, end, eof, sink) : this.processLines(buf, start, end, eof, sink);
  }

  private fatal(reason: string, line: number): never {
    throw new MalformedRecordError(Math.max(1, this.index), line, reason, false);
  }

  private processArray(buf: Uint8Array, start: number, end: number, eof: boolean, sink: FramedRecordSink): number {
    const sc = this.scanner;
    sc.reset(buf, end, eof);
    let p = start;
    for (;;) {
      sc.line = this.line;
      p = sc.skipWs(p);
      this.line = sc.line;
      if (p >= end) {
        if (!eof) return p;
        if (this.state === ArrayState.Done) return p;
        if (this.state === ArrayState.Start) this.fatal('empty input: expected a JSON array', this.line);
        this.fatal('unexpected end of file: the JSON array is not closed', this.line);
      }
      const c = buf[p];
      switch (this.state) {
        case ArrayState.Start:
          if (c !== 0x5b) this.fatal('expected a JSON array ("[") at the start of the file', this.line);
          this.state = ArrayState.FirstElement;
          p++;
          continue;
        case ArrayState.Done:
          this.fatal('unexpected data after the end of the JSON array', this.line);
        // falls through (fatal throws)
        case ArrayState.AfterElement:
          if (c === 0x2c) {
            this.state = ArrayState.Element;
            p++;
            continue;
          }
          if (c === 0x5d) {
            this.state = ArrayState.Done;
            p++;
            continue;
          }
          this.fatal('expected "," or "]" after a record', this.line);
        // falls through (fatal throws)
        case ArrayState.FirstElement:
          if (c === 0x5d) {
            this.state = ArrayState.Done;
            p++;
            continue;
          }
        // falls through: an element
        case ArrayState.Element: {
          const lineAtStart = this.line;
          const q = c === 0x7b ? sc.scanRecordFast(p) : sc.skipValue(p);
          if (q === NEED_MORE) {
            if (eof) throw new MalformedRecordError(this.index + 1, sc.line, 'unexpected end of file inside a record', false);
            this.line = lineAtStart;
            return p;
          }
          this.index++;
          if (q === BAD) throw new MalformedRecordError(this.index, sc.line, `invalid JSON: ${sc.error}`, false);
          if (c !== 0x7b) sc.slow = true;
          this.line = sc.line;
          sink.record(sc, buf, p, q, this.index, lineAtStart);
          this.state = ArrayState.AfterElement;
          p = q;
          continue;
        }
      }
    }
  }

  private processLines(buf: Uint8Array, start: number, end: number, eof: boolean, sink: FramedRecordSink): number {
    const sc = this.scanner;
    let p = start;
    while (p < end) {
      let nl = buf.indexOf(0x0a, p);
      if (nl < 0 || nl >= end) {
        if (!eof) return p;
        nl = end;
      }
      const line = this.line++;
      // Scan the line on its own: a record may not run past its line.
      sc.reset(buf, nl, true);
      sc.line = line;
      const s = sc.skipWs(p);
      if (s < nl) {
        this.index++;
        if (buf[s] !== 0x7b) {
          sink.invalid(new MalformedRecordError(this.index, line, 'expected a JSON object on this line'));
        } else {
          const q = sc.scanRecordFast(s);
          if (q < 0) {
            sink.invalid(new MalformedRecordError(this.index, line, `invalid JSON: ${q === BAD ? sc.error : 'the object is not closed on its line'}`));
          } else {
            const rest = sc.skipWs(q);
            if (rest < nl) sink.invalid(new MalformedRecordError(this.index, line, 'unexpected data after the JSON object'));
            else sink.record(sc, buf, s, q, this.index, line);
          }
        }
      }
      p = nl + 1;
    }
    return Math.min(p, end);
  }
}
