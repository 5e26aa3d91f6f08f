import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ZodError } from 'zod';

/**
 * Flag parsing shared by the commands: Node's util.parseArgs for the syntax, zod for the values,
 * and one wording for usage errors — a single line that names the flag and points at --help:
 *
 *   pairwise ratings: --format must be one of table, json, csv (see pairwise ratings --help)
 */
export class UsageError extends Error {}

/** The one-line text of a usage error of `command`. */
export function usageLine(command: string, message: string): string {
  return `pairwise ${command}: ${message} (see pairwise ${command} --help)`;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** --flag-name of an options key. */
export function flagName(key: string): string {
  return `--${kebab(key)}`;
}

/**
 * util.parseArgs in strict mode, its errors turned into UsageError with short messages that
 * name the flag. `--help` / `-h` should be among the options (as a boolean).
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
    const flag = quoted.split(' ')[0];
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const near = Object.keys(options).map(flagName).find((known) => closeTo(known, flag));
        throw new UsageError(`unknown flag ${flag}${near ? `, did you mean ${near}?` : ''}`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        throw new UsageError(/does not take an argument/.test(message) ? `${flag} takes no value` : `${flag} needs a value`);
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument "${quoted}"`);
      default:
        throw new UsageError(message.split('\n')[0]);
    }
  }
}

/** The first issue of a zod error of the flags, as one line that names the flag. */
export function zodUsage(error: ZodError): UsageError {
  const issue = error.issues[0];
  const key = issue.path.map(String).join('.');
  const message = issue.message;
  return new UsageError(!key || message.startsWith('--') ? message : `${flagName(key)} ${message}`);
}

/** A likely typo of a known flag: one edit apart, or a prefix of it. */
function closeTo(known: string, typed: string): boolean {
  if (!typed.startsWith('--') || typed.length < 4) return false;
  if (known.startsWith(typed)) return true;
  if (Math.abs(known.length - typed.length) > 1) return false;
  let i = 0;
  while (i < known.length && known[i] === typed[i]) i++;
  // a changed, added or dropped character at i
  return known.slice(i + 1) === typed.slice(i + 1) || known.slice(i) === typed.slice(i + 1) || known.slice(i + 1) === typed.slice(i);
}

/** The positional arguments, refusing more than `max` (one line naming the first extra one). */
export function atMost(positionals: string[], max: number, what = 'file'): string[] {
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument "${positionals[max]}"${max > 0 ? ` (one ${what} at a time)` : ''}`);
  }
  return positionals;
}
