import { z } from 'zod';
import type { InfluenceCaps } from '../integrity/influence';
import { DEFAULT_PROVISIONAL_VOTES } from '../rating/compute';
import { arenaSettingsSchema, rateLimitSettingsSchema, type ArenaSettings } from '../registry/schema';

/**
 * Operator settings: what the console edits, stored per section in the `settings` table. The
 * registry file's `settings` are the defaults of the arena section (turn and prompt limits,
 * timeouts, rate limits); a section saved in the console overrides them field by field.
 */

export const DEFAULT_NOTICE = [
  'Two anonymous models answer your prompt; vote for the better answer, then see who they were.',
  'Do not ask a model who it is: a vote on a conversation in which you ask, or a model says which model it is or who made it, is kept but does not count.',
  'Your prompts and the answers are stored with your vote and may be shared, without any account or address, as research data.',
].join('\n\n');

export const accessSettingsSchema = z.strictObject({
  /** 'anonymous': anyone may battle and vote (a local install); 'signed-in': an account is needed. */
  voting: z.enum(['anonymous', 'signed-in']).default('anonymous'),
  /** Who may create an account with email and password, or by a first external sign-in. */
  signUp: z.enum(['open', 'invite', 'closed']).default('open'),
});

export const noticeSettingsSchema = z.strictObject({
  /** Shown before a voter's first battle. */
  text: z.string().max(8000).default(DEFAULT_NOTICE),
  /** Voters must tick "I agree" before their first battle (studies that need consent). */
  requireConsent: z.boolean().default(false),
});

export const retentionSettingsSchema = z.strictObject({
  /** Conversations older than this many days are deleted (votes stay for the ratings); null keeps them. */
  conversationDays: z.int().positive().max(36_500).nullable().default(null),
});

/** Vote integrity: trust scoring and what recorded battles need (see lib/integrity). */
export const integritySettingsSchema = z.strictObject({
  /** 'exclude': flagged voters' votes do not count; 'observe': scores are kept, nothing excluded; 'off'. */
  trustScoring: z.enum(['exclude', 'observe', 'off']).default('exclude'),
  /**
   * Recorded answers come from public sets, which a script can look up: count recorded-mode
   * votes only from signed-in accounts. Turn on for any board open to the public.
   */
  recordedTrustedOnly: z.boolean().default(false),
  /** Bounded influence (lib/integrity/influence.ts): most counted votes one voter weighs in all, and on one model. */
  voterCap: z.int().positive().max(10_000_000).nullable().default(1000),
  voterModelCap: z.int().positive().max(10_000_000).nullable().default(100),
  /**
   * Anonymous battles need a solved proof-of-work challenge (lib/integrity/proof-of-work.ts):
   * each battle costs the browser, or a script, about `proofOfWorkHashes` SHA-256 hashes.
   * Signed-in voters are not asked.
   */
  proofOfWork: z.boolean().default(false),
  proofOfWorkHashes: z.int().min(1_000).max(50_000_000).default(200_000),
});

/**
 * How battles are paired (lib/battle/sampling.ts, lib/battle/turns.ts). Two fields, both safe to
 * change at any time: a change applies to the next battle.
 */
export const pairingSettingsSchema = z.strictObject({
  /**
   * 'active' (default): pairs are drawn where one more battle narrows the widest rating
   * intervals of the stored overall board most (sampleActivePair), mixed with a 25 % share of
   * the weighted rule, registry weights multiplying in; 'weighted': each model by its registry
   * weight alone (samplePair). Either way the exact probability of the drawn pair is stored.
   */
  policy: z.enum(['active', 'weighted']).default('active'),
  /**
   * Recorded mode: live models may answer the recorded question too (live, with the question's
   * text as the prompt), so that live and recorded models meet in one battle. Both sides of such
   * a battle are shown only once both have finished, at one pace, so that nothing before the vote
   * tells which side was recorded.
   */
  liveInRecorded: z.boolean().default(false),
});

/** The leaderboard: what a rank needs (lib/leaderboard/compute-snapshots.ts fits every board with it). */
export const boardSettingsSchema = z.strictObject({
  /**
   * A model with fewer counted votes on a board is provisional: listed with its reason, not ranked
   * (`pairwise ratings --provisional-votes`); 0 ranks every model.
   */
  provisionalVotes: z.int().min(0).max(1_000_000).default(DEFAULT_PROVISIONAL_VOTES),
});

/** The arena section: the registry file's settings that an operator may override. */
export const arenaOverrideSchema = z.strictObject({
  maxTurns: arenaSettingsSchema.shape.maxTurns.removeDefault().optional(),
  maxPromptChars: arenaSettingsSchema.shape.maxPromptChars.removeDefault().optional(),
  timeoutMs: arenaSettingsSchema.shape.timeoutMs.removeDefault().optional(),
  limits: rateLimitSettingsSchema.partial().optional(),
});

export const SETTING_SECTIONS = {
  access: accessSettingsSchema,
  notice: noticeSettingsSchema,
  retention: retentionSettingsSchema,
  integrity: integritySettingsSchema,
  arena: arenaOverrideSchema,
  pairing: pairingSettingsSchema,
  board: boardSettingsSchema,
} as const;

export type SettingSection = keyof typeof SETTING_SECTIONS;

export interface OperatorSettings {
  access: z.infer<typeof accessSettingsSchema>;
  notice: z.infer<typeof noticeSettingsSchema>;
  retention: z.infer<typeof retentionSettingsSchema>;
  integrity: z.infer<typeof integritySettingsSchema>;
  arena: z.infer<typeof arenaOverrideSchema>;
  pairing: z.infer<typeof pairingSettingsSchema>;
  board: z.infer<typeof boardSettingsSchema>;
}

/**
 * Stored rows to settings; a section that no longer parses (an older version wrote it, or it was
 * edited by hand) falls back to its defaults and is reported, instead of stopping the app.
 */
export function parseOperatorSettings(rows: Record<string, unknown>, warn: (msg: string) => void = () => {}): OperatorSettings {
  const out = {} as Record<SettingSection, unknown>;
  for (const [key, schema] of Object.entries(SETTING_SECTIONS) as [SettingSection, z.ZodType][]) {
    const parsed = schema.safeParse(rows[key] ?? {});
    if (!parsed.success) warn(`stored settings "${key}" are not valid and were ignored: ${parsed.error.issues[0]?.message}`);
    out[key] = parsed.success ? parsed.data : schema.parse({});
  }
  return out as OperatorSettings;
}

/** The bounded-influence caps the rating passes weigh votes under (the integrity settings' two caps). */
export function influenceCapsOf(integrity: OperatorSettings['integrity']): InfluenceCaps {
  return { perVoter: integrity.voterCap, perVoterModel: integrity.voterModelCap };
}

/** The registry file's arena settings with the console's overrides applied. */
export function effectiveArenaSettings(fromFile: ArenaSettings, override: OperatorSettings['arena']): ArenaSettings {
  return {
    ...fromFile,
    ...(override.maxTurns !== undefined ? { maxTurns: override.maxTurns } : {}),
    ...(override.maxPromptChars !== undefined ? { maxPromptChars: override.maxPromptChars } : {}),
    ...(override.timeoutMs !== undefined ? { timeoutMs: override.timeoutMs } : {}),
    limits: { ...fromFile.limits, ...(override.limits ?? {}) },
  };
}
