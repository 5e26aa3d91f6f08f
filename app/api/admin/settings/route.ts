import { route } from '@/lib/edge/route';
import { readConsoleSettings, saveSettingsSection, settingsSaveSchema } from '@/lib/admin/settings';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'admin' }, ({ app }) => readConsoleSettings(app));

/** Saves one section (access, notice, retention, arena); it applies at once. */
export const PUT = route({ role: 'admin', body: settingsSaveSchema, maxBytes: 32 * 1024 }, ({ app, actor, body }) =>
  saveSettingsSection(app, actor.user!, body),
);
