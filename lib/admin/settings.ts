import { z } from 'zod';
import { bumpRatingsInput } from '../../db/queries/ratings-input';
import { writeSetting } from '../../db/queries/settings';
import { AppError } from '../errors';
import type { ArenaSettings } from '../registry/schema';
import { SETTING_SECTIONS, type OperatorSettings, type SettingSection } from '../settings/schema';
import type { ConsoleDeps, Operator } from './deps';

/**
 * Operator settings by section (lib/settings/schema.ts): access (voting and sign-up policy),
 * notice (the rules and the consent switch), retention, integrity, pairing, board (what a rank
 * needs) and arena (turn and prompt limits, timeouts and rate limits over the registry file's
 * values). A save is audited and applied at once.
 */

export interface ConsoleSettings {
  sections: OperatorSettings;
  /** The arena settings in effect (the registry file's, with the console's overrides). */
  effectiveArena: ArenaSettings;
}

export function readConsoleSettings(deps: Pick<ConsoleDeps, 'operator' | 'registry'>): ConsoleSettings {
  return { sections: deps.operator(), effectiveArena: deps.registry().settings };
}

function refitsBoards(section: SettingSection, before: OperatorSettings, value: unknown): boolean {
  if (section === 'board') return true;
  if (section !== 'integrity') return false;
  const next = value as OperatorSettings['integrity'];
  return next.voterCap !== before.integrity.voterCap || next.voterModelCap !== before.integrity.voterModelCap;
}

export const settingsSaveSchema = z.strictObject({
  section: z.enum(Object.keys(SETTING_SECTIONS) as [SettingSection, ...SettingSection[]]),
  value: z.unknown(),
});

export async function saveSettingsSection(deps: ConsoleDeps, by: Operator, input: z.infer<typeof settingsSaveSchema>): Promise<ConsoleSettings> {
  const schema = SETTING_SECTIONS[input.section] as z.ZodType;
  const parsed = schema.safeParse(input.value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('validation_failed', `Invalid ${input.section} settings: ${issue?.path.join('.') || 'value'}: ${issue?.message}.`);
  }
  const before = deps.operator();
  await writeSetting({ key: input.section, value: parsed.data, by: by.id });
  // The boards are fitted under the board settings and the influence caps: when those change, the
  // next pass recounts and refits them all (without waiting for a vote).
  if (refitsBoards(input.section, before, parsed.data)) await bumpRatingsInput();
  await deps.reload();
  return readConsoleSettings(deps);
}
