import type { ImportRecord } from '../queries/imports';

/** An imported battle's record as the import writes it: a plain anonymous battle of alpha and bravo, unless `fields` say otherwise. */
export function importRecord(recordNo: number, fields: Partial<ImportRecord> = {}): ImportRecord {
  return {
    recordNo,
    modelA: 'alpha',
    modelB: 'bravo',
    winner: 'model_a',
    createdAt: 0,
    judge: null,
    turns: 1,
    anony: true,
    language: null,
    questionId: null,
    isCode: null,
    promptChars: null,
    conversationA: null,
    conversationB: null,
    ...fields,
  };
}
