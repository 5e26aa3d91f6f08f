/** Times in the console are UTC, written the same on the server and in the browser. */
export function when(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** A text cut to `max` characters, with an ellipsis when it was longer. */
export function clip(text: string | null | undefined, max: number): string {
  if (!text) return '';
  return text.length > max ? `${text.slice(0, max).trimEnd()}…` : text;
}
