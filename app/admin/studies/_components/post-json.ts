import { requestErrorFrom } from '@/app/_components/battle/api-types';
import { withBasePath } from '@/lib/base-path';

/** POSTs JSON to a console route; the parsed answer, or the server's safe message as an Error. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(withBasePath(url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new Error('Could not reach the server.');
  }
  if (!res.ok) throw new Error((await requestErrorFrom(res)).message);
  return (await res.json()) as T;
}
