import { z } from '../zod';

/**
 * Shapes of what the battle API sends to the browser (see the battle routes). Everything that
 * arrives over the network is parsed here before the page uses it: a malformed event is dropped
 * instead of breaking the page.
 */

const questionId = z.union([z.string(), z.number()]).transform(String);

export const recordedPromptSchema = z.object({
  questionId,
  text: z.string(),
  category: z.string().nullish(),
});
export type RecordedPrompt = z.infer<typeof recordedPromptSchema>;

const liveModeSchema = z.object({
  id: z.literal('live'),
  available: z.boolean(),
  /** Live models that can be paired now (a count: never who they are). */
  models: z.number().int().nonnegative().default(0),
  /** Every one of them is a test fixture. */
  onlyFixtures: z.boolean().default(false),
});
const recordedModeSchema = z.object({
  id: z.literal('recorded'),
  available: z.boolean(),
  prompts: z.array(recordedPromptSchema).default([]),
});

export const arenaInfoSchema = z.object({
  modes: z.array(z.union([liveModeSchema, recordedModeSchema, z.object({ id: z.string() }).loose()])),
  limits: z.object({
    maxPromptChars: z.number().int().positive(),
    maxTurns: z.number().int().positive(),
  }),
  empty: z.boolean(),
  emptyReason: z.enum(['none-configured', 'unreachable']).optional(),
  defaultMode: z.enum(['live', 'recorded']).default('live'),
  models: z.object({ configured: z.number().int(), reachable: z.number().int() }).default({ configured: 0, reachable: 0 }),
  images: z
    .object({ available: z.boolean(), maxBytes: z.number().int().positive(), types: z.array(z.string()) })
    .default({ available: false, maxBytes: 5 * 1024 * 1024, types: [] }),
});
export type ArenaInfo = z.infer<typeof arenaInfoSchema>;

/** 'named': side by side with two chosen models; 'direct': a chat with one chosen model. */
export type BattleMode = 'live' | 'recorded' | 'named' | 'direct';

/** The arena's three ways to take part; 'battle' is the anonymous one (live or recorded). */
export type ArenaKind = 'battle' | 'named' | 'direct';

export function kindOfMode(mode: BattleMode): ArenaKind {
  return mode === 'named' || mode === 'direct' ? mode : 'battle';
}

/** A model offered by name (side by side and direct chat only: GET /api/arena/models). */
export const namedModelSchema = z.object({ id: z.string(), name: z.string(), organization: z.string(), vision: z.boolean().default(false) });
export type NamedModel = z.infer<typeof namedModelSchema>;
export const namedModelsSchema = z.object({ models: z.array(namedModelSchema) });

/** An image to send with the first prompt (base64 of the file). */
export interface PromptImage {
  mediaType: string;
  data: string;
  /** A data: URL, for showing it. */
  url: string;
  name: string;
  bytes: number;
}

export interface ArenaModes {
  live: boolean;
  /** What the live pool is like, so the page can say when it is too small or only test fixtures. */
  livePool: { models: number; onlyFixtures: boolean };
  recorded: { available: boolean; prompts: RecordedPrompt[] };
}

/** Pulls the two known modes out of the arena info; unknown modes are ignored. */
export function arenaModes(info: ArenaInfo): ArenaModes {
  let live = false;
  let livePool: ArenaModes['livePool'] = { models: 0, onlyFixtures: false };
  let recorded: ArenaModes['recorded'] = { available: false, prompts: [] };
  for (const mode of info.modes) {
    const asLive = liveModeSchema.safeParse(mode);
    if (asLive.success) {
      live = asLive.data.available;
      livePool = { models: asLive.data.models, onlyFixtures: asLive.data.onlyFixtures };
    }
    const asRecorded = recordedModeSchema.safeParse(mode);
    if (asRecorded.success) recorded = { available: asRecorded.data.available, prompts: asRecorded.data.prompts };
  }
  return { live, livePool, recorded };
}

export const sideSchema = z.enum(['a', 'b']);
export type Side = z.infer<typeof sideSchema>;

export const streamEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('battle'), battleId: z.string().min(1), turn: z.number().int().optional() }),
  z.object({ type: z.literal('delta'), side: sideSchema, text: z.string() }),
  z.object({
    type: z.literal('done'),
    side: sideSchema,
    finishReason: z.string().optional(),
    tokens: z.number().nullish(),
  }),
  z.object({ type: z.literal('error'), side: sideSchema, code: z.string(), message: z.string() }),
  z.object({
    type: z.literal('end'),
    canVote: z.boolean(),
    turn: z.number().int().optional(),
    turnsLeft: z.number().int().optional(),
  }),
]);
export type StreamEvent = z.infer<typeof streamEventSchema>;

export const winnerSchema = z.enum(['model_a', 'model_b', 'tie', 'tie (bothbad)']);
export type Winner = z.infer<typeof winnerSchema>;

const revealedModelSchema = z.object({
  id: z.string(),
  name: z.string(),
  organization: z.string().nullish(),
});
const sideStatsSchema = z.object({
  ttftMs: z.number().nullish(),
  tokensPerSecond: z.number().nullish(),
  tokens: z.number().nullish(),
});

export const voteResultSchema = z.object({
  winner: winnerSchema,
  excluded: z.boolean().optional(),
  models: z.object({ a: revealedModelSchema, b: revealedModelSchema }),
  stats: z.object({ a: sideStatsSchema, b: sideStatsSchema }).partial().optional(),
});
export type VoteResult = z.infer<typeof voteResultSchema>;
export type RevealedModel = z.infer<typeof revealedModelSchema>;
export type SideStats = z.infer<typeof sideStatsSchema>;

const wireMessageSchema = z.object({
  turn: z.number().int(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  images: z.array(z.string()).optional(),
  state: z.enum(['streaming', 'done', 'error']),
  finishReason: z.string().optional(),
  tokens: z.number().nullish(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type WireMessage = z.infer<typeof wireMessageSchema>;

const chosenModelSchema = z.object({ id: z.string(), name: z.string(), organization: z.string().nullish() });

/** GET /api/battles/<id>: the battle as its owner's page shows it (used to restore it after a reload). */
export const battleResponseSchema = z.object({
  id: z.string(),
  status: z.enum(['active', 'voted', 'failed', 'abandoned']),
  mode: z.enum(['live', 'recorded', 'imported', 'named', 'direct']),
  turn: z.number().int(),
  turnsLeft: z.number().int(),
  canVote: z.boolean(),
  canSend: z.boolean(),
  canRegenerate: z.boolean(),
  sides: z.object({ a: z.array(wireMessageSchema), b: z.array(wireMessageSchema) }),
  revealed: voteResultSchema.optional(),
  chosen: z.object({ a: chosenModelSchema, b: chosenModelSchema.nullable() }).optional(),
  shareToken: z.string().nullish(),
});
export type BattleResponse = z.infer<typeof battleResponseSchema>;

export const shareResultSchema = z.object({ token: z.string(), path: z.string() });

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** A refused request, with the server's safe message (or a generic one). */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function requestErrorFrom(res: Response): Promise<RequestError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: fall through to the generic message */
  }
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) return new RequestError(parsed.data.error.code, parsed.data.error.message, res.status);
  return new RequestError('http_' + res.status, `The server answered ${res.status}. Please try again.`, res.status);
}
