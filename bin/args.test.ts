import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkFlags, readFlags, UsageError, usageLine } from './args';
import { parseImportFlags } from './commands/import';

const OPTIONS = { format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } } as const;

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('readFlags: one line that names the flag', () => {
  it('reads --flag value, --flag=value, booleans and positionals', () => {
    expect(readFlags(['--format', 'csv', '--out=x.csv', '--json', 'file.json'], OPTIONS, { positionals: 1 })).toEqual({
      values: { format: 'csv', out: 'x.csv', json: true },
      positionals: ['file.json'],
    });
  });

  it('names an unknown flag and suggests the near one', () => {
    expect(usage(() => readFlags(['--frmat', 'csv'], OPTIONS))).toBe('unknown flag --frmat, did you mean --format?');
    expect(usage(() => readFlags(['--colour'], OPTIONS))).toBe('unknown flag --colour');
  });

  it('names a flag whose value is missing, or that takes none', () => {
    expect(usage(() => readFlags(['--out'], OPTIONS))).toBe('--out needs a value');
    expect(usage(() => readFlags(['--out', '--json'], OPTIONS))).toBe('--out needs a value');
    expect(usage(() => readFlags(['--json=yes'], OPTIONS))).toBe('--json takes no value');
  });

  it('refuses extra arguments', () => {
    expect(usage(() => readFlags(['a'], OPTIONS))).toBe("unexpected argument 'a'");
    expect(usage(() => readFlags(['a', 'b'], OPTIONS, { positionals: 1 }))).toBe('unexpected argument "b" (one file at a time)');
  });

  it('checkFlags turns the first schema problem into "--flag message"', () => {
    const schema = z.object({ inputFormat: z.enum(['json', 'csv'], { error: 'must be json or csv' }) });
    expect(usage(() => checkFlags(schema, { inputFormat: 'xml' }))).toBe('--input-format must be json or csv');
  });

  it('usageLine points at the command help', () => {
    expect(usageLine('export', '--out needs a value')).toBe('pairwise export: --out needs a value (see pairwise export --help)');
  });
});

describe('pairwise import flags', () => {
  it('takes the file positionally with its flags in any order', () => {
    expect(parseImportFlags(['--format', 'jsonl', 'battles.txt', '--create'])).toEqual({
      file: 'battles.txt',
      format: 'jsonl',
      json: false,
      create: true,
    });
    expect(parseImportFlags(['-h'])).toBe('help');
  });

  it('says a file is missing, and names a bad format', () => {
    expect(usage(() => parseImportFlags([]))).toBe('name the file to import');
    expect(usage(() => parseImportFlags(['x.json', '--format=xml']))).toBe('--format must be json, jsonl or csv');
  });
});
