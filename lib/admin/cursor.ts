import type { z } from 'zod';
import { AppError } from '../errors';

/** Keyset cursors travel as opaque base64url JSON in a query parameter. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    /* below */
  }
  throw new AppError('validation_failed', 'Invalid query parameter cursor: not a cursor from this list.');
}
