import { MODEL_NAME_MAX } from './limits';

/**
 * Byte-level JSON scanning for clean_battle files: finds record boundaries in a buffer while
 * validating JSON syntax (RFC 8259: string escapes, control characters, number grammar,
 * literals, nesting), counts lines, and — on the fast path — extracts model_a, model_b, winner
 * and tstamp without decoding the record into JS strings or objects.
 *
 * The fast path accepts a record only when it can see that the record satisfies
 * cleanBattleSchema (clean-battle.ts): plain-ASCII model names without escapes, a winner that
 * is exactly one of the four values, and for every other known field a value of the accepted
 * type (or null). Anything else — nested conversations, escapes in names, duplicate fields,
 * missing fields, odd numbers — is marked `slow`, and the caller parses that record with
 * JSON.parse and validates it with the schema, which also words the error. So validity has one
 * definition and the fast path is only a shortcut to it.
 */

export const NEED_MORE = -1;
export const BAD = -2;
const MISMATCH = -3;

// Template hole kinds (order matters: string kinds first, then numbers, then literals).
const H_NAME_A = 0;
const H_NAME_B = 1;
const H_WINNER = 2;
const H_STRING = 3;
const H_TSTAMP = 4;
const H_TURN = 5;
const H_FINITE = 6;
const H_NUMBER = 7;
const H_BOOL = 8;
const H_LITERAL = 9;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const NEWLINE = 0x0a;

// Known clean_battle fields recognised by the fast path.
const K_UNKNOWN = 0;
const K_MODEL_A = 1;
const K_MODEL_B = 2;
const K_WINNER = 3;
const K_TSTAMP = 4;
const K_JUDGE = 5;
const K_TURN = 6;
const K_ANONY = 7;
const K_LANGUAGE = 8;
const K_QUESTION_ID = 9;
// conversation_a, conversation_b, conv_metadata, sampling_probability: schema-validated on the
// slow path (the probability is rare: only battles fought in a Pairwise arena carry it).
const K_NESTED = 10;

const KEYS: [string, number][] = [
  ['model_a', K_MODEL_A],
  ['model_b', K_MODEL_B],
  ['winner', K_WINNER],
  ['tstamp', K_TSTAMP],
  ['judge', K_JUDGE],
  ['turn', K_TURN],
  ['anony', K_ANONY],
  ['language', K_LANGUAGE],
  ['question_id', K_QUESTION_ID],
  ['conversation_a', K_NESTED],
  ['conversation_b', K_NESTED],
  ['conv_metadata', K_NESTED],
  ['sampling_probability', K_NESTED],
];
const KEY_BYTES = KEYS.map(([k, id]) => ({ bytes: Uint8Array.from(k, (c) => c.charCodeAt(0)), id }));

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact up to 1e22

// Byte classes inside strings: 0 plain ASCII, 1 quote, 2 backslash, 3 control, 4 non-ASCII.
const STRING_CLASS = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 0x20; c++) t[c] = 3;
  for (let c = 0x80; c < 256; c++) t[c] = 4;
  t[QUOTE] = 1;
  t[BACKSLASH] = 2;
  return t;
})();

export class JsonScanner {
  buf: Uint8Array = new Uint8Array(0);
  end = 0;
  /** Line number (1-based) at the current scan position. */
  line = 1;
  /** Why the last call returned BAD. */
  error = '';
  /** Whether the bytes end here for good (a number touching `end` is then complete). */
  eof = false;

  // String scan side results.
  private escaped = false;
  private high = false;
  // Container stack for skipValue.
  private stack = new Uint8Array(64);

  // Fast-path results of scanRecord.
  slow = false;
  aStart = 0;
  aEnd = 0;
  bStart = 0;
  bEnd = 0;
  winner = -1;
  tstamp = NaN;

  // Record template (see matchTemplate): literal byte segments with value holes between them.
  private tplBytes = new Uint8Array(0);
  private tplSegStart = new Int32Array(0);
  private tplSegLen = new Int32Array(0);
  private tplHoles = new Uint8Array(0);
  private tplHoleCount = -1; // -1: no template
  private tplLines = 0;
  private tplMisses = 0;

  reset(buf: Uint8Array, end: number, eof: boolean): void {
    this.buf = buf;
    this.end = end;
    this.eof = eof;
  }

  fail(message: string): number {
    this.error = message;
    return BAD;
  }

  skipWs(p: number): number {
    const buf = this.buf;
    const end = this.end;
    while (p < end) {
      const c = buf[p];
      if (c === 0x20 || c === 0x09 || c === 0x0d) p++;
      else if (c === NEWLINE) {
        this.line++;
        p++;
      } else break;
    }
    return p;
  }

  /** p at the opening quote; returns the position after the closing quote. */
  skipString(p: number): number {
    const buf = this.buf;
    const end = this.end;
    let escaped = false;
    let high = false;
    p++;
    for (;;) {
      if (p >= end) return NEED_MORE;
      const cls = STRING_CLASS[buf[p]];
      if (cls === 0) {
        p++;
        continue;
      }
      if (cls === 1) {
        this.escaped = escaped;
        this.high = high;
        return p + 1;
      }
      if (cls === 4) {
        high = true;
        p++;
        continue;
      }
      if (cls === 3) return this.fail(buf[p] === NEWLINE ? 'unterminated string' : 'control character in a string');
      // backslash
      escaped = true;
      if (p + 1 >= end) return NEED_MORE;
      const e = buf[p + 1];
      if (e === 0x75 /* u */) {
        if (p + 6 > end) return NEED_MORE;
        for (let k = 2; k < 6; k++) {
          const h = buf[p + k];
          const hex = (h >= ZERO && h <= NINE) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
          if (!hex) return this.fail('invalid \\u escape in a string');
        }
        p += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        p += 2;
      } else return this.fail('invalid escape in a string');
    }
  }

  /** Number token per the JSON grammar; returns the position after it. */
  skipNumber(p: number): number {
    const buf = this.buf;
    const end = this.end;
    if (buf[p] === MINUS) p++;
    if (p >= end) return this.eof ? this.fail('unexpected end of file in a number') : NEED_MORE;
    let c = buf[p];
    if (c === ZERO) p++;
    else if (c > ZERO && c <= NINE) {
      p++;
      while (p < end && buf[p] >= ZERO && buf[p] <= NINE) p++;
    } else return this.fail('invalid number');
    if (p < end && buf[p] === DOT) {
      p++;
      if (p >= end) return this.eof ? this.fail('unexpected end of file in a number') : NEED_MORE;
      if (!(buf[p] >= ZERO && buf[p] <= NINE)) return this.fail('invalid number: digits must follow "."');
      while (p < end && buf[p] >= ZERO && buf[p] <= NINE) p++;
    }
    if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
      p++;
      if (p < end && (buf[p] === PLUS || buf[p] === MINUS)) p++;
      if (p >= end) return this.eof ? this.fail('unexpected end of file in a number') : NEED_MORE;
      c = buf[p];
      if (!(c >= ZERO && c <= NINE)) return this.fail('invalid number: digits must follow the exponent');
      while (p < end && buf[p] >= ZERO && buf[p] <= NINE) p++;
    }
    // A number that touches the end of the bytes may continue in the next chunk.
    if (p >= end && !this.eof) return NEED_MORE;
    return p;
  }

  private literal(p: number, word: string): number {
    const end = this.end;
    for (let k = 0; k < word.length; k++) {
      if (p + k >= end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
      if (this.buf[p + k] !== word.charCodeAt(k)) return this.fail(`invalid literal (expected ${word})`);
    }
    return p + word.length;
  }

  /** Any JSON value starting at p (no leading whitespace); returns the position after it. */
  skipValue(p: number): number {
    const buf = this.buf;
    let depth = 0;
    for (;;) {
      // parse a value at p
      p = this.skipWs(p);
      if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
      const c = buf[p];
      let opened = false;
      if (c === QUOTE) p = this.skipString(p);
      else if (c === LBRACE || c === LBRACKET) {
        if (depth === this.stack.length) {
          const s = new Uint8Array(depth * 2);
          s.set(this.stack);
          this.stack = s;
        }
        this.stack[depth++] = c;
        p = this.skipWs(p + 1);
        if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
        if (buf[p] === (c === LBRACE ? RBRACE : RBRACKET)) {
          depth--;
          p++;
        } else if (c === LBRACE) {
          p = this.key(p);
          if (p < 0) return p;
          opened = true;
        } else opened = true;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) p = this.skipNumber(p);
      else if (c === 0x74) p = this.literal(p, 'true');
      else if (c === 0x66) p = this.literal(p, 'false');
      else if (c === 0x6e) p = this.literal(p, 'null');
      else return this.fail(`unexpected character "${String.fromCharCode(c)}"`);
      if (p < 0) return p;
      if (opened) continue;
      // after a value: close containers or move to the next element
      for (;;) {
        if (depth === 0) return p;
        p = this.skipWs(p);
        if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
        const top = this.stack[depth - 1];
        const d = buf[p];
        if (d === COMMA) {
          p++;
          if (top === LBRACE) {
            p = this.key(this.skipWs(p));
            if (p < 0) return p;
          }
          break; // parse the next value
        }
        if ((top === LBRACE && d === RBRACE) || (top === LBRACKET && d === RBRACKET)) {
          depth--;
          p++;
          continue;
        }
        return this.fail(top === LBRACE ? 'expected "," or "}" in an object' : 'expected "," or "]" in an array');
      }
    }
  }

  /** `"key" :` starting at p; returns the position after the colon. */
  private key(p: number): number {
    if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
    if (this.buf[p] !== QUOTE) return this.fail('expected a field name in double quotes');
    p = this.skipString(p);
    if (p < 0) return p;
    p = this.skipWs(p);
    if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
    if (this.buf[p] !== COLON) return this.fail('expected ":" after a field name');
    return p + 1;
  }

  private keyId(start: number, end: number): number {
    const buf = this.buf;
    let cand: number;
    switch (end - start) {
      case 7:
        cand = buf[start + 6] === 0x61 ? 0 : 1; // model_a / model_b
        break;
      case 6:
        cand = buf[start] === 0x77 ? 2 : 3; // winner / tstamp
        break;
      case 5:
        cand = buf[start] === 0x6a ? 4 : 6; // judge / anony
        break;
      case 4:
        cand = 5; // turn
        break;
      case 8:
        cand = 7; // language
        break;
      case 11:
        cand = 8; // question_id
        break;
      case 14:
        cand = buf[start + 13] === 0x61 ? 9 : 10; // conversation_a / conversation_b
        break;
      case 13:
        cand = 11; // conv_metadata
        break;
      case 20:
        cand = 12; // sampling_probability
        break;
      default:
        return K_UNKNOWN;
    }
    const { bytes, id } = KEY_BYTES[cand];
    for (let k = 0; k < bytes.length; k++) if (bytes[k] !== buf[start + k]) return K_UNKNOWN;
    return id;
  }

  /**
   * A record object starting at p (the '{'); returns the position after its '}'. Sets `slow`
   * when the fast path cannot vouch for the record; otherwise the name ranges, winner code
   * (0..3) and tstamp (NaN when absent) describe a record that cleanBattleSchema accepts.
   */
  scanRecord(p: number): number {
    const buf = this.buf;
    let slow = false;
    let seen = 0;
    this.tstamp = NaN;
    this.winner = -1;
    p = this.skipWs(p + 1);
    if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
    if (buf[p] === RBRACE) {
      this.slow = true;
      return p + 1;
    }
    for (;;) {
      if (buf[p] !== QUOTE) return this.fail('expected a field name in double quotes');
      const ks = p + 1;
      p = this.skipString(p);
      if (p < 0) return p;
      const id = this.escaped ? K_UNKNOWN : this.keyId(ks, p - 1);
      if (this.escaped) slow = true; // an escaped key might spell a known field
      p = this.skipWs(p);
      if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
      if (buf[p] !== COLON) return this.fail('expected ":" after a field name');
      p = this.skipWs(p + 1);
      if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
      if (id !== K_UNKNOWN) {
        const bit = 1 << id;
        if (seen & bit && id !== K_NESTED) slow = true; // duplicate: JSON.parse keeps the last
        seen |= bit;
      }
      const c = buf[p];
      const vs = p;
      if (id === K_UNKNOWN || id === K_NESTED) {
        if (id === K_NESTED && c !== 0x6e) slow = true;
        p = this.skipValue(p);
      } else if (c === QUOTE) {
        p = this.skipString(p);
        if (p < 0) return p;
        const s = vs + 1;
        const e = p - 1;
        if (id === K_MODEL_A || id === K_MODEL_B) {
          if (this.escaped || this.high || e === s || e - s > MODEL_NAME_MAX || blank(buf, s, e)) slow = true;
          else if (id === K_MODEL_A) {
            this.aStart = s;
            this.aEnd = e;
          } else {
            this.bStart = s;
            this.bEnd = e;
          }
        } else if (id === K_WINNER) {
          const w = this.escaped ? -1 : winnerCode(buf, s, e);
          if (w < 0) slow = true;
          else this.winner = w;
        } else if (id !== K_JUDGE && id !== K_LANGUAGE && id !== K_QUESTION_ID) slow = true;
      } else if (c === 0x6e /* null */) {
        p = this.literal(p, 'null');
        if (id === K_MODEL_A || id === K_MODEL_B || id === K_WINNER) slow = true;
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        p = this.skipNumber(p);
        if (p < 0) return p;
        if (id === K_TSTAMP) {
          const v = parseNumber(buf, vs, p);
          if (Number.isFinite(v)) this.tstamp = v;
          else slow = true;
        } else if (id === K_TURN) {
          if (!positiveInteger(buf, vs, p)) slow = true;
        } else if (id === K_QUESTION_ID) {
          if (!Number.isFinite(parseNumber(buf, vs, p))) slow = true;
        } else slow = true;
      } else if (c === 0x74 || c === 0x66) {
        p = this.skipValue(p);
        if (id !== K_ANONY) slow = true;
      } else {
        p = this.skipValue(p);
        slow = true;
      }
      if (p < 0) return p;
      p = this.skipWs(p);
      if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
      const d = buf[p];
      if (d === COMMA) {
        p = this.skipWs(p + 1);
        if (p >= this.end) return this.eof ? this.fail('unexpected end of file') : NEED_MORE;
        continue;
      }
      if (d === RBRACE) {
        p++;
        break;
      }
      return this.fail('expected "," or "}" in an object');
    }
    const need = (1 << K_MODEL_A) | (1 << K_MODEL_B) | (1 << K_WINNER);
    if ((seen & need) !== need || sameBytes(buf, this.aStart, this.aEnd, this.bStart, this.bEnd)) slow = true;
    this.slow = slow;
    return p;
  }

  /**
   * Scans a record: first against the template of the previous fast record (most files repeat
   * one layout, so the keys, colons, commas and whitespace are compared as literal bytes and
   * only the values are scanned), otherwise with scanRecord, whose fast results then become the
   * new template. Same results and the same checks as scanRecord either way.
   */
  scanRecordFast(p: number): number {
    if (this.tplHoleCount >= 0) {
      const line = this.line;
      const q = this.matchTemplate(p);
      // At the end of the input (or of a JSONL line) a record shorter than the template is no
      // reason to wait for more bytes: scan it on its own.
      if (q !== MISMATCH && !(q === NEED_MORE && this.eof)) return q;
      this.line = line;
      this.tplMisses++;
    }
    const q = this.scanRecord(p);
    if (q >= 0 && !this.slow && (this.tplHoleCount < 0 || this.tplMisses >= 8)) {
      this.tplMisses = 0;
      this.buildTemplate(p, q);
    }
    return q;
  }

  private buildTemplate(start: number, end: number): void {
    const buf = this.buf;
    const bytes: number[] = [];
    const segStart: number[] = [];
    const segLen: number[] = [];
    const holes: number[] = [];
    let seg = 0;
    let lines = 0;
    const lit = (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        bytes.push(buf[k]);
        if (buf[k] === NEWLINE) lines++;
      }
    };
    const cut = (hole: number) => {
      segStart.push(seg);
      segLen.push(bytes.length - seg);
      seg = bytes.length;
      holes.push(hole);
    };
    const saveLine = this.line;
    let p = start;
    try {
      lit(p, p + 1); // {
      p++;
      for (;;) {
        let q = this.skipWs(p);
        lit(p, q);
        p = q;
        if (buf[p] === RBRACE) {
          lit(p, p + 1);
          p++;
          break;
        }
        q = this.skipString(p);
        const id = this.keyId(p + 1, q - 1);
        lit(p, q);
        p = q;
        q = this.skipWs(p);
        q = this.skipWs(q + 1); // the colon, then whitespace
        lit(p, q);
        p = q;
        const c = buf[p];
        if (c === QUOTE) {
          lit(p, p + 1);
          cut(id === K_MODEL_A ? H_NAME_A : id === K_MODEL_B ? H_NAME_B : id === K_WINNER ? H_WINNER : H_STRING);
          q = this.skipString(p);
          if (q < 0) return;
          lit(q - 1, q); // the closing quote starts the next literal
          p = q;
        } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
          cut(id === K_TSTAMP ? H_TSTAMP : id === K_TURN ? H_TURN : id === K_QUESTION_ID ? H_FINITE : H_NUMBER);
          p = this.skipNumber(p);
        } else if (c === 0x74 || c === 0x66) {
          cut(id === K_ANONY ? H_BOOL : H_LITERAL);
          p = this.skipValue(p);
        } else if (c === 0x6e) {
          q = this.skipValue(p);
          lit(p, q);
          p = q;
        } else return; // nested value: no template for this layout
        if (p < 0) return;
        q = this.skipWs(p);
        if (buf[q] === COMMA) q++;
        lit(p, q);
        p = q;
      }
    } finally {
      this.line = saveLine;
    }
    if (p !== end) return;
    segStart.push(seg);
    segLen.push(bytes.length - seg);
    this.tplBytes = Uint8Array.from(bytes);
    this.tplSegStart = Int32Array.from(segStart);
    this.tplSegLen = Int32Array.from(segLen);
    this.tplHoles = Uint8Array.from(holes);
    this.tplHoleCount = holes.length;
    this.tplLines = lines;
  }

  /** Matches the template at p: the record end, NEED_MORE, BAD, or MISMATCH. */
  private matchTemplate(p: number): number {
    const buf = this.buf;
    const end = this.end;
    const tb = this.tplBytes;
    let aS = 0;
    let aE = 0;
    let bS = 0;
    let bE = 0;
    let winner = -1;
    let tstamp = NaN;
    // Running out of bytes means "wait for more" only while more can come; at the end of the
    // input the general scan decides (and words any error).
    const more = this.eof ? MISMATCH : NEED_MORE;
    for (let h = 0; ; h++) {
      const ls = this.tplSegStart[h];
      const ll = this.tplSegLen[h];
      const avail = Math.min(ll, end - p);
      for (let k = 0; k < avail; k++) if (buf[p + k] !== tb[ls + k]) return MISMATCH;
      if (avail < ll) return more;
      p += ll;
      if (h === this.tplHoleCount) break;
      const kind = this.tplHoles[h];
      if (kind <= H_WINNER) {
        // plain ASCII string content up to the closing quote
        const s = p;
        for (;;) {
          if (p >= end) return more;
          const cls = STRING_CLASS[buf[p]];
          if (cls === 0) p++;
          else if (cls === 1) break;
          else return MISMATCH;
        }
        if (kind === H_WINNER) {
          winner = winnerCode(buf, s, p);
          if (winner < 0) return MISMATCH;
        } else {
          if (p === s || p - s > MODEL_NAME_MAX || blank(buf, s, p)) return MISMATCH;
          if (kind === H_NAME_A) {
            aS = s;
            aE = p;
          } else {
            bS = s;
            bE = p;
          }
        }
      } else if (kind === H_STRING) {
        // plain ASCII inline; escapes and other bytes through skipString
        const s = p;
        let cls = 0;
        while (p < end && (cls = STRING_CLASS[buf[p]]) === 0) p++;
        if (p >= end) return more;
        if (cls !== 1) {
          const q = this.skipString(s - 1);
          if (q < 0) return q === NEED_MORE ? more : MISMATCH; // errors are worded by scanRecord
          p = q - 1;
        }
      } else if (kind <= H_NUMBER) {
        const c = p < end ? buf[p] : 0;
        if (p >= end) return more;
        if (!(c === MINUS || (c >= ZERO && c <= NINE))) return MISMATCH;
        const q = this.skipNumber(p);
        if (q < 0) return q === NEED_MORE ? more : MISMATCH;
        if (kind === H_TSTAMP) {
          tstamp = parseNumber(buf, p, q);
          if (!Number.isFinite(tstamp)) return MISMATCH;
        } else if (kind === H_TURN) {
          if (!positiveInteger(buf, p, q)) return MISMATCH;
        } else if (kind === H_FINITE) {
          if (!Number.isFinite(parseNumber(buf, p, q))) return MISMATCH;
        }
        p = q;
      } else {
        // true / false (and null for fields where any literal is fine)
        if (p + 4 > end) return more;
        if (buf[p] === 0x74 && buf[p + 1] === 0x72 && buf[p + 2] === 0x75 && buf[p + 3] === 0x65) p += 4;
        else if (buf[p] === 0x66) {
          if (p + 5 > end) return more;
          if (buf[p + 1] === 0x61 && buf[p + 2] === 0x6c && buf[p + 3] === 0x73 && buf[p + 4] === 0x65) p += 5;
          else return MISMATCH;
        } else if (kind === H_LITERAL && buf[p] === 0x6e && buf[p + 1] === 0x75 && buf[p + 2] === 0x6c && buf[p + 3] === 0x6c) p += 4;
        else return MISMATCH;
      }
    }
    if (sameBytes(buf, aS, aE, bS, bE)) return MISMATCH;
    this.aStart = aS;
    this.aEnd = aE;
    this.bStart = bS;
    this.bEnd = bE;
    this.winner = winner;
    this.tstamp = tstamp;
    this.slow = false;
    this.line += this.tplLines;
    return p;
  }
}

function blank(buf: Uint8Array, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if (buf[p] !== 0x20) return false;
  return true;
}

function sameBytes(buf: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (buf[s1 + k] !== buf[s2 + k]) return false;
  return true;
}

/** 0 model_a, 1 model_b, 2 tie, 3 tie (bothbad), -1 anything else. */
function winnerCode(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len === 7) {
    // "model_a" / "model_b"
    if (buf[s] === 0x6d && buf[s + 1] === 0x6f && buf[s + 2] === 0x64 && buf[s + 3] === 0x65 && buf[s + 4] === 0x6c && buf[s + 5] === 0x5f) {
      if (buf[s + 6] === 0x61) return 0;
      if (buf[s + 6] === 0x62) return 1;
    }
    return -1;
  }
  if (len === 3) return buf[s] === 0x74 && buf[s + 1] === 0x69 && buf[s + 2] === 0x65 ? 2 : -1;
  if (len === 13) {
    const want = 'tie (bothbad)';
    for (let k = 0; k < 13; k++) if (buf[s + k] !== want.charCodeAt(k)) return -1;
    return 3;
  }
  return -1;
}

function positiveInteger(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s > 15) return false;
  let v = 0;
  for (let p = s; p < e; p++) {
    const c = buf[p];
    if (c < ZERO || c > NINE) return false;
    v = v * 10 + (c - ZERO);
  }
  return v >= 1;
}

/**
 * Value of a (grammar-checked) JSON number token. Up to 15 significant digits without an
 * exponent, digits / 10^k is exact and correctly rounded — the same double JSON.parse gives;
 * anything else goes through Number() on the token.
 */
function parseNumber(buf: Uint8Array, s: number, e: number): number {
  let p = s;
  const neg = buf[p] === MINUS;
  if (neg) p++;
  let v = 0;
  let digits = 0;
  let frac = 0;
  let dot = false;
  for (; p < e; p++) {
    const c = buf[p];
    if (c === DOT) {
      dot = true;
      continue;
    }
    if (c < ZERO || c > NINE) return slowNumber(buf, s, e);
    v = v * 10 + (c - ZERO);
    digits++;
    if (dot) frac++;
  }
  if (digits > 15) return slowNumber(buf, s, e);
  const r = frac === 0 ? v : v / POW10[frac];
  return neg ? -r : r;
}

function slowNumber(buf: Uint8Array, s: number, e: number): number {
  let t = '';
  for (let p = s; p < e; p++) t += String.fromCharCode(buf[p]);
  return Number(t);
}
