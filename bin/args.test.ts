import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { atMost, parseFlags, UsageError, usageLine, zodUsage } from './args';
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

describe('parseFlags: one line that names the flag', () => {
  it('reads --flag value, --flag=value, booleans and positionals', () => {
    const { values, positionals } = parseFlags(['--format', 'csv', '--out=x.csv', '--json', 'file.json'], OPTIONS, true);
    expect({ ...values }).toEqual({ format: 'csv', out: 'x.csv', json: true });
    expect(positionals).toEqual(['file.json']);
  });

  it('names an unknown flag, and the known one it is a typo of', () => {
    expect(usage(() => parseFlags(['--frmat', 'csv'], OPTIONS))).toBe('unknown flag --frmat, did you mean --format?');
    expect(usage(() => parseFlags(['--formt'], OPTIONS))).toBe('unknown flag --formt, did you mean --format?');
    expect(usage(() => parseFlags(['--colour'], OPTIONS))).toBe('unknown flag --colour');
  });

  it('names a flag whose value is missing, or that takes none', () => {
    expect(usage(() => parseFlags(['--out'], OPTIONS))).toBe('--out needs a value');
    expect(usage(() => parseFlags(['--out', '--json'], OPTIONS))).toBe('--out needs a value');
    expect(usage(() => parseFlags(['--json=yes'], OPTIONS))).toBe('--json takes no value');
  });

  it('refuses extra arguments', () => {
    expect(usage(() => parseFlags(['a'], OPTIONS))).toBe('unexpected argument "a"');
    expect(usage(() => atMost(['a', 'b'], 1))).toBe('unexpected argument "b" (one file at a time)');
    expect(atMost(['a'], 1)).toEqual(['a']);
  });

  it('zodUsage turns the first schema problem into "--flag message"', () => {
    const parsed = z.object({ inputFormat: z.enum(['json', 'csv'], { error: 'must be json or csv' }) }).safeParse({ inputFormat: 'xml' });
    expect(parsed.success).toBe(false);
    expect(zodUsage(parsed.error!).message).toBe('--input-format must be json or csv');
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
    expect(usage(() => parseImportFlags(['x.json', 'y.json']))).toBe('unexpected argument "y.json" (one file at a time)');
  });
});
