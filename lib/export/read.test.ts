import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../rating/random';
import { WINNERS } from '../rating/types';
import {
  createBattleWriter,
  MalformedRecordError,
  NameTable,
  readCleanBattles,
  scanBattles,
  writeCleanBattles,
  type CleanBattle,
  type BattleFileFormat,
} from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairwise-export-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let fileNo = 0;
function file(text: string, ext = 'json'): string {
  const f = path.join(tmp, `f${fileNo++}.${ext}`);
  fs.writeFileSync(f, text);
  return f;
}

async function readAll(input: string, opts: Parameters<typeof readCleanBattles>[1] = {}) {
  const out: { record: CleanBattle; index: number; line: number }[] = [];
  for await (const item of readCleanBattles(input, opts)) out.push(item);
  return out;
}

interface Seen {
  index: number;
  a: string;
  b: string;
  winner: string;
  tstamp: number;
}

/** Through the fast scanner: what the ratings command sees, plus the invalid record numbers. */
async function scanAll(input: string, chunkSize?: number, format?: BattleFileFormat, threads = 1, skip = true) {
  const names: string[] = [];
  const table = new NameTable((n) => names.push(n) - 1);
  const seen: Seen[] = [];
  const invalid: number[] = [];
  let fast = 0;
  await scanBattles(
    input,
    { names: table, chunkSize, format, threads, parallelMinBytes: 1, onInvalid: skip ? (e) => invalid.push(e.record) : undefined },
    {
      fast(a, b, w, t, index) {
        fast++;
        seen.push({ index, a: names[a], b: names[b], winner: WINNERS[w], tstamp: t });
      },
      record(r, index) {
        seen.push({ index, a: r.model_a, b: r.model_b, winner: r.winner, tstamp: r.tstamp ?? NaN });
      },
    },
  );
  return { seen, invalid, fast };
}

const sample: CleanBattle[] = [
  { model_a: 'gpt-4', model_b: 'claude-2', winner: 'model_a', tstamp: 1700000000.25, judge: 'arena_user_1', turn: 1, anony: true, language: 'English', question_id: 'q1' },
  { model_a: 'claude-2', model_b: 'llama "2", 70b', winner: 'tie (bothbad)', tstamp: 1700000001 },
  { model_a: 'mistral', model_b: 'gpt-4', winner: 'tie', question_id: 7, conversation_a: [{ role: 'user', content: 'hi,\n"there"' }, { role: 'assistant', content: 'héllo' }], conversation_b: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }] },
  { model_a: 'Ünïcode-model', model_b: 'mistral', winner: 'model_b' },
];

describe('clean_battle readers and writers', () => {
  it.each(['json', 'jsonl', 'csv'] as const)('round-trips records through %s', async (format) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c) => chunks.push(c));
    await writeCleanBattles(sample, out, format);
    out.end();
    const f = file(Buffer.concat(chunks).toString('utf8'), format);
    const back = (await readAll(f)).map((x) => x.record);
    if (format === 'csv') {
      // CSV carries the flat fields only.
      expect(back).toEqual(sample.map(({ conversation_a: _a, conversation_b: _b, ...rest }) => ({ ...rest, question_id: rest.question_id === undefined ? undefined : String(rest.question_id) })).map((r) => JSON.parse(JSON.stringify(r))));
    } else expect(back).toEqual(sample);
    const scanned = await scanAll(f);
    expect(scanned.seen.map((s) => [s.a, s.b, s.winner])).toEqual(sample.map((r) => [r.model_a, r.model_b, r.winner]));
  });

  it('writes an empty JSON array and an empty CSV with its header', async () => {
    for (const [format, text] of [['json', '[]\n'], ['csv', 'model_a,model_b,winner,tstamp,judge,turn,anony,language,question_id\n'], ['jsonl', '']] as const) {
      const out = new PassThrough();
      let s = '';
      out.on('data', (c) => (s += c));
      const w = createBattleWriter(out, format);
      await w.end();
      expect(s).toBe(text);
    }
  });

  it('reads pretty-printed arrays, CRLF, a BOM and records split across any read boundary', async () => {
    const pretty = '\ufeff' + JSON.stringify(sample, null, 2).replace(/\n/g, '\r\n');
    const f = file(pretty);
    const expected = (await scanAll(f)).seen;
    expect(expected.map((s) => s.a)).toEqual(sample.map((r) => r.model_a));
    for (const chunk of [1, 2, 3, 5, 7, 13, 64]) expect((await scanAll(f, chunk)).seen).toEqual(expected);
    const items = await readAll(f, { chunkSize: 3 });
    expect(items.map((i) => i.record)).toEqual(sample);
    expect(items.map((i) => i.line)).toEqual([2, 13, 19, 45]);
  });

  it('a last record shorter than the layout before it (end of input, end of line)', async () => {
    const long = (k: number) => `{"model_a":"a${k}","model_b":"b","winner":"tie","judge":"j","turn":1,"anony":true,"language":"English","tstamp":${k}}`;
    const short = '{"model_a":"x","model_b":"y","winner":"tie"}';
    for (const [format, text] of [
      ['json', `[${long(1)},${long(2)},${short}]`],
      ['jsonl', `${long(1)}\n${long(2)}\n${short}`],
      ['jsonl', `${long(1)}\n${short}\n${long(3)}\n`],
    ] as const) {
      const f = file(text, format);
      const items = await readAll(f);
      expect(items).toHaveLength(3);
      expect((await scanAll(f)).seen.map((x) => x.a)).toEqual(items.map((i) => i.record.model_a));
      for (const chunk of [1, 7, 50]) expect((await scanAll(f, chunk)).seen).toHaveLength(3);
    }
  });

  it('reads JSONL with blank lines and a last line without newline, and reads streams', async () => {
    const text = `${JSON.stringify(sample[0])}\n\n  \n${JSON.stringify(sample[1])}\r\n${JSON.stringify(sample[3])}`;
    const items = await readAll(file(text, 'jsonl'));
    expect(items.map((i) => [i.index, i.line])).toEqual([[1, 1], [2, 4], [3, 5]]);
    const fromStream: CleanBattle[] = [];
    for await (const item of readCleanBattles(Readable.from([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))]), { format: 'jsonl' })) fromStream.push(item.record);
    expect(fromStream).toEqual([sample[0], sample[1], sample[3]]);
  });

  it('reads CSV with a header in any column order, or without one', async () => {
    const withHeader = file('winner,tstamp,model_b,model_a,extra\nmodel_a,17,b,a,x\n"tie",,"c, d",a,\n', 'csv');
    expect((await readAll(withHeader)).map((i) => i.record)).toEqual([
      { model_a: 'a', model_b: 'b', winner: 'model_a', tstamp: 17 },
      { model_a: 'a', model_b: 'c, d', winner: 'tie' },
    ]);
    await expect(readAll(file('left,right,winner\nx,y,left\n', 'csv'))).rejects.toThrow(/neither a header/);
    const bare = file('a,b,model_b,1700000000\nb,c,tie (bothbad),1700000001\n', 'csv');
    expect((await readAll(bare, { format: 'csv' })).map((i) => [i.record.winner, i.record.tstamp, i.line])).toEqual([
      ['model_b', 1700000000, 1],
      ['tie (bothbad)', 1700000001, 2],
    ]);
  });
});

describe('malformed records', () => {
  const good = (k: number) => `{"model_a":"a${k}","model_b":"b${k}","winner":"tie"}`;

  it('stops at a bad record in a JSON array with its record and line number', async () => {
    const f = file(`[\n${good(1)},\n${good(2)},\n{"model_a":"x","model_b":"y","winner":"draw"},\n${good(4)}\n]`);
    const err = await readAll(f).catch((e) => e);
    expect(err).toBeInstanceOf(MalformedRecordError);
    expect(err).toMatchObject({ record: 3, line: 4 });
    expect(err.message).toMatch(/record 3 \(line 4\): winner must be one of/);
    const scanErr = await scanBattles(f, { names: new NameTable(() => 0) }, { fast() {}, record() {} }).catch((e) => e);
    expect(scanErr).toMatchObject({ record: 3, line: 4 });
  });

  it('skips and counts bad records when asked, keeping the good ones', async () => {
    const f = file(`[${good(1)},{"model_a":"same","model_b":"same","winner":"tie"},{"model_a":"","model_b":"b","winner":"tie"},7,${good(5)},{"model_a":"a","model_b":"b","winner":"tie","turn":0}]`);
    const bad: MalformedRecordError[] = [];
    const items = await readAll(f, { onInvalid: (e) => bad.push(e) });
    expect(items.map((i) => i.index)).toEqual([1, 5]);
    expect(bad.map((e) => e.record)).toEqual([2, 3, 4, 6]);
    expect(bad[0].reason).toMatch(/different/);
    expect(bad[2].reason).toMatch(/expected an object/);
  });

  it('broken JSON syntax in an array is fatal even when skipping', async () => {
    const f = file(`[\n${good(1)},\n{"model_a":"x" "model_b":"y"},\n${good(3)}]`);
    const err = await readAll(f, { onInvalid: () => {} }).catch((e) => e);
    expect(err).toMatchObject({ record: 2, line: 3, recoverable: false });
    expect(err.message).toMatch(/invalid JSON/);
    for (const text of ['', '{"a":1}', `[${good(1)}`, `[${good(1)}] x`, `[${good(1)},]`, '[{"model_a":"x', `[${good(1)},${good(2).slice(0, 30)}`, '[{"model_a":1e']) {
      await expect(readAll(file(text), { format: 'json' })).rejects.toBeInstanceOf(MalformedRecordError);
      await expect(scanAll(file(text), undefined, 'json')).rejects.toBeInstanceOf(MalformedRecordError);
    }
  });

  it('a broken JSONL line only loses that line', async () => {
    const f = file(`${good(1)}\n{"model_a": "x",\n[1]\n${good(4)} trailing\n${good(5)}\n`, 'jsonl');
    const bad: MalformedRecordError[] = [];
    const items = await readAll(f, { onInvalid: (e) => bad.push(e) });
    expect(items.map((i) => [i.index, i.line])).toEqual([[1, 1], [5, 5]]);
    expect(bad.map((e) => [e.record, e.line])).toEqual([[2, 2], [3, 3], [4, 4]]);
  });

  it('CSV: wrong column counts and values, with line numbers', async () => {
    const f = file('model_a,model_b,winner\na,b,model_a\na,b\nc,d,nobody\n', 'csv');
    const bad: MalformedRecordError[] = [];
    const items = await readAll(f, { onInvalid: (e) => bad.push(e) });
    expect(items).toHaveLength(1);
    expect(bad.map((e) => [e.record, e.line])).toEqual([[2, 3], [3, 4]]);
    expect(bad[0].reason).toMatch(/expected 3 columns/);
    await expect(readAll(f)).rejects.toMatchObject({ record: 2, line: 3 });
  });
});

describe('the fast path agrees with the schema on every record', () => {
  // Random records, many of them subtly invalid, serialised in several ways. The byte-level
  // fast path must accept exactly what JSON.parse + cleanBattleSchema accept, with equal values.
  const pieces = {
    names: ['gpt-4', 'claude', ' ', '', 'x'.repeat(256), 'x'.repeat(257), 'ünï', 'tab\tname', 'quote"name', 'back\\slash', 'A', '\u0041'],
    winners: [...WINNERS, 'draw', 'Model_A', 'tie ', '', 'model_c'],
    values: [null, true, false, 0, 1, -1, 1.5, 1e400, '1', 'x', [], {}, [1, { a: [] }], 1700000000.1234, 123456789012345678, 2e-7],
  };
  function randomRecord(rng: Rng): string {
    const pick = <T>(xs: T[]) => xs[Math.floor(rng.nextDouble() * xs.length)];
    const fields: [string, unknown][] = [];
    if (rng.nextDouble() < 0.98) fields.push(['model_a', rng.nextDouble() < 0.9 ? pick(pieces.names.slice(0, 2)) : pick(pieces.names)]);
    if (rng.nextDouble() < 0.98) fields.push(['model_b', rng.nextDouble() < 0.9 ? pick(['gpt-4', 'claude', 'A']) : pick(pieces.names)]);
    if (rng.nextDouble() < 0.98) fields.push(['winner', rng.nextDouble() < 0.9 ? pick([...WINNERS]) : pick(pieces.winners)]);
    for (const key of ['tstamp', 'judge', 'turn', 'anony', 'language', 'question_id', 'conversation_a', 'conv_metadata', 'extra', 'model_a']) {
      if (rng.nextDouble() < 0.07) fields.push([key, pick(pieces.values)]);
    }
    if (rng.nextDouble() < 0.5) fields.push(['tstamp', 1700000000 + Math.floor(rng.nextDouble() * 1e6) / 1000]);
    if (rng.nextDouble() < 0.3) fields.push(['turn', 1 + Math.floor(rng.nextDouble() * 3)]);
    if (rng.nextDouble() < 0.3) fields.push(['judge', 'arena_user_1']);
    if (rng.nextDouble() < 0.3) fields.push(['anony', rng.nextDouble() < 0.5]);
    if (rng.nextDouble() < 0.1) fields.push(['conversation_a', [{ role: 'assistant', content: 'x' }]]);
    for (let k = fields.length - 1; k > 0; k--) {
      const t = Math.floor(rng.nextDouble() * (k + 1));
      [fields[k], fields[t]] = [fields[t], fields[k]];
    }
    const style = rng.nextDouble();
    const body = fields.map(([k, v]) => {
      let key = JSON.stringify(k);
      if (style < 0.05) key = key.replace('m', '\\u006d'); // escaped key spelling a known field
      let value = v === 1e400 ? '1e400' : JSON.stringify(v);
      if (typeof v === 'string' && style > 0.95) value = value.replace(/a/g, '\\u0061');
      return style < 0.5 ? `${key}:${value}` : `${key} : ${value}`;
    });
    return `{${style > 0.7 ? '\n  ' : ''}${body.join(style > 0.7 ? ',\n  ' : ',')}${style > 0.7 ? '\n' : ''}}`;
  }

  it.each(['json', 'jsonl'] as const)('%s: 3000 random records', async (format) => {
    const rng = new Rng(format === 'json' ? 1 : 2);
    const recs = Array.from({ length: 3000 }, () => randomRecord(rng));
    const text = format === 'json' ? `[\n${recs.join(',\n')}\n]` : recs.map((r) => r.replace(/\n/g, ' ')).join('\n');
    const f = file(text, format);
    const expected: Seen[] = [];
    const expectedInvalid: number[] = [];
    for await (const item of readCleanBattles(f, { onInvalid: (e) => expectedInvalid.push(e.record) })) {
      const r = item.record;
      expected.push({ index: item.index, a: r.model_a, b: r.model_b, winner: r.winner, tstamp: r.tstamp ?? NaN });
    }
    const got = await scanAll(f, 4096);
    expect(got.invalid).toEqual(expectedInvalid);
    expect(got.seen).toEqual(expected);
    // both paths were exercised
    expect(got.fast).toBeGreaterThan(300);
    expect(got.fast).toBeLessThan(expected.length);
    expect(expectedInvalid.length).toBeGreaterThan(150);
  });

  it('one repeated layout with random values (the template path)', async () => {
    const rng = new Rng(3);
    const pick = <T>(xs: T[]) => xs[Math.floor(rng.nextDouble() * xs.length)];
    const maybe = <T>(good: T, bad: unknown[]) => (rng.nextDouble() < 0.9 ? good : pick(bad));
    const recs = Array.from({ length: 4000 }, () => {
      const r = {
        model_a: maybe(pick(['gpt-4', 'claude', 'A']), pieces.names),
        model_b: maybe(pick(['gpt-4', 'claude', 'llama']), pieces.names),
        winner: maybe(pick([...WINNERS]), pieces.winners),
        judge: maybe('arena_user_7', [null, 3, 'x\\"y']),
        turn: maybe(1 + Math.floor(rng.nextDouble() * 3), [0, -1, 1.5, '2', null]),
        anony: maybe(rng.nextDouble() < 0.5, [null, 'true', 1]),
        language: maybe('English', [null, 'Deutsch', 5]),
        tstamp: maybe(1700000000 + Math.floor(rng.nextDouble() * 1e7) / 1e4, [null, '1', 1e400, -5, 12345678901234567]),
        question_id: maybe('abc', [7, null, 1.5e300, true]),
        extra: maybe(0, ['s', null, false, 2.5e-3]),
      };
      return JSON.stringify(r).replace('1e+400', '1e400');
    });
    const f = file(`[${recs.join(',')}]`);
    const expected: Seen[] = [];
    const expectedInvalid: number[] = [];
    for await (const item of readCleanBattles(f, { onInvalid: (e) => expectedInvalid.push(e.record) })) {
      const r = item.record;
      expected.push({ index: item.index, a: r.model_a, b: r.model_b, winner: r.winner, tstamp: r.tstamp ?? NaN });
    }
    for (const chunk of [997, 1 << 16]) {
      const got = await scanAll(f, chunk);
      expect(got.invalid).toEqual(expectedInvalid);
      expect(got.seen).toEqual(expected);
      expect(got.fast).toBeGreaterThan(1000);
    }
    expect(expectedInvalid.length).toBeGreaterThan(500);
  });
});

describe('two threads read a large file exactly like one', () => {
  const line = (k: number) => {
    if (k % 997 === 0) return `{"model_a":"m${k % 7}","model_b":"m${k % 7}","winner":"tie"}`; // invalid: same model
    if (k % 1009 === 0) return `{"model_a":"m\\u0031","model_b":"m2","winner":"model_b","tstamp":${k}}`; // slow path
    return `{"model_a":"m${k % 7}","model_b":"n${k % 5}","winner":"${WINNERS[k % 4]}","tstamp":${1e9 + k}}`;
  };
  const rows = Array.from({ length: 20000 }, (_, k) => line(k + 1));

  it.each(['json', 'jsonl'] as const)('%s', async (format) => {
    const text = format === 'json' ? `[\n${rows.join(',\n')}\n]\n` : `${rows.join('\n')}\n`;
    const f = file(text, format);
    const one = await scanAll(f, 1 << 16, format, 1);
    const two = await scanAll(f, 1 << 16, format, 2);
    expect(two.seen).toEqual(one.seen);
    expect(two.invalid).toEqual(one.invalid);
    expect(one.invalid.length).toBe(20);
    expect(one.seen.length).toBe(20000 - 20);
  });

  it('a split point inside a string is caught, and the calling thread reads on', async () => {
    // Long strings full of "},{" so that the split guess lands inside one.
    const tricky = Array.from({ length: 400 }, (_, k) => `{"model_a":"a","model_b":"b","winner":"tie","judge":"${'},{'.repeat(2000)}","turn":${k + 1}}`);
    const f = file(`[${tricky.join(',')}]`);
    const one = await scanAll(f, 1 << 14, 'json', 1);
    const two = await scanAll(f, 1 << 14, 'json', 2);
    expect(two.seen).toEqual(one.seen);
    expect(one.seen).toHaveLength(400);
  });

  it('errors in the second half carry absolute record and line numbers', async () => {
    const clean = rows.filter((r) => !/"model_a":"(m\d)","model_b":"\1"/.test(r));
    const bad = [...clean.slice(0, 15000), '{"model_a":"x","model_b":"y","winner":"nope"}', ...clean.slice(15000)];
    const f = file(`[\n${bad.join(',\n')}\n]`);
    const e1 = await scanAll(f, 1 << 16, 'json', 1, false).catch((e) => e);
    const e2 = await scanAll(f, 1 << 16, 'json', 2, false).catch((e) => e);
    expect(e1).toMatchObject({ record: 15001, line: 15002 });
    expect(e1.reason).toMatch(/winner/);
    expect(e2).toMatchObject({ record: 15001, line: 15002, reason: e1.reason });
    const broken = [...clean.slice(0, 15000), '{"model_a":"x" "model_b":"y"}', ...clean.slice(15000)];
    const g = file(`[\n${broken.join(',\n')}\n]`);
    const f1 = await scanAll(g, 1 << 16, 'json', 1, false).catch((e) => e);
    const f2 = await scanAll(g, 1 << 16, 'json', 2, false).catch((e) => e);
    expect(f1).toMatchObject({ record: 15001, line: 15002, recoverable: false });
    expect(f2).toMatchObject({ record: 15001, line: 15002, recoverable: false });
  });
});
