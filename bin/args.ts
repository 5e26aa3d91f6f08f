import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';

/**
 * Flags of the `pairwise` commands: Node's util.parseArgs reads them, a zod schema checks their
 * values. A mistake is one line that names the flag and points at --help, not the whole help.
 */

/** A mistake in the command line; the command prints it with its name and exits with 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads argv with parseArgs (`--flag value`, `--flag=value`, booleans without a value) and
 * returns the values plus the positional arguments. parseArgs' own errors are rewritten to name
 * the flag plainly.
 */
export function readFlags<O extends Options>(
  argv: string[],
  options: O,
  { positionals = 0 }: { positionals?: number } = {},
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError(describeParseError(err, options));
  }
  if (parsed.positionals.length > positionals) {
    const extra = parsed.positionals[positionals];
    throw new UsageError(
      positionals === 0 ? `unexpected argument "${extra}"` : `unexpected argument "${extra}" (one ${positionals === 1 ? 'file' : 'value'} at a time)`,
    );
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function describeParseError(err: unknown, options: Options): string {
  const e = err as Error & { code?: string };
  const flag = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const known = Object.keys(options).map((k) => `--${k}`);
      const near = flag ? known.find((k) => closeTo(k, flag)) : undefined;
      return `unknown flag ${flag ?? ''}${near ? `, did you mean ${near}?` : ''}`.trim();
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(e.message) ? `${flag} takes no value` : `${flag} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(e.message)?.[0] ?? ''}`.trim();
    default:
      return e.message;
  }
}

/** One edit apart (a typo), or one is the other's prefix. */
function closeTo(a: string, b: string): boolean {
  if (a.startsWith(b) || b.startsWith(a)) return Math.abs(a.length - b.length) <= 3;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a.slice(i + 1) === b.slice(i + 1) || a.slice(i) === b.slice(i + 1) || a.slice(i + 1) === b.slice(i);
}

/**
 * Checks flag values with a zod schema; the first problem becomes one line naming its flag
 * (`flagOf` gives a key's flag, or '' for a positional argument whose message says it all).
 */
export function checkFlags<S extends z.ZodType>(schema: S, raw: unknown, flagOf: (key: string) => string = kebabFlag): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue.path.map(String).join('.');
  const flag = key ? flagOf(key) : '';
  throw new UsageError(flag ? `${flag} ${issue.message}` : issue.message);
}

function kebabFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** "pairwise import: --format must be json, jsonl or csv (see pairwise import --help)". */
export function usageLine(command: string, message: string): string {
  return `pairwise ${command}: ${message} (see pairwise ${command} --help)`;
}
