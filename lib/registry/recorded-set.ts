import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * Reader for recorded prompt sets: a folder with question.jsonl ({question_id, text, category})
 * and answer files ({question_id, text}, one object a line). Files are read once per process and
 * shared by the registry helpers and every recorded provider that points at them.
 */

export const QUESTIONS_FILE = 'question.jsonl';

const questionId = z.union([z.string().min(1), z.int()]).transform(String);

const questionLine = z.looseObject({
  question_id: questionId,
  text: z.string().min(1),
  category: z.string().optional(),
});

const answerLine = z.looseObject({
  question_id: questionId,
  text: z.string(),
});

export interface RecordedQuestion {
  questionId: string;
  text: string;
  category?: string;
}

const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    // A failed read is retried next time (the file may be fetched meanwhile).
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

async function readJsonl<T>(file: string, schema: z.ZodType<T>): Promise<T[]> {
  const text = await fs.readFile(file, 'utf8');
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: malformed JSON (${(err as Error).message})`);
    }
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${file}:${i + 1}: field "${issue.path.join('.')}": ${issue.message}`);
    }
    out.push(r.data);
  });
  return out;
}

/** Questions of a set in file order. */
export function readQuestions(setDir: string): Promise<RecordedQuestion[]> {
  const file = path.join(setDir, QUESTIONS_FILE);
  return cached(`q:${file}`, async () =>
    (await readJsonl(file, questionLine)).map((q) => ({ questionId: q.question_id, text: q.text, category: q.category })),
  );
}

/** Answers by question id (the first answer wins when a file repeats a question). */
export function readAnswers(answersFile: string): Promise<Map<string, string>> {
  return cached(`a:${answersFile}`, async () => {
    const map = new Map<string, string>();
    for (const a of await readJsonl(answersFile, answerLine)) if (!map.has(a.question_id)) map.set(a.question_id, a.text);
    return map;
  });
}
