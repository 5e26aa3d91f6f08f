/**
 * Where to go after signing in: a path on this site only. Anything else (another host, a
 * protocol-relative "//host", a backslash trick) becomes "/", so a sign-in link cannot send
 * someone elsewhere.
 */
export function safeReturnPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f]/.test(raw)) return '/';
  try {
    const url = new URL(raw, 'http://x.invalid');
    if (url.origin !== 'http://x.invalid') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}
