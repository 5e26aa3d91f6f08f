import { requireAdminPage } from '@/app/_server/page-context';
import { readConsoleSettings } from '@/lib/admin/settings';
import { SettingsForms } from '@/app/_components/admin/settings-forms';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

export default async function AdminSettingsPage() {
  const { app } = await requireAdminPage('/admin/settings');
  const { sections, effectiveArena } = readConsoleSettings(app);
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Settings</h1>
          <p className={styles.subtitle}>Each section saves on its own, applies at once (every server process within two seconds) and is audited.</p>
        </div>
      </div>
      <SettingsForms sections={sections} effectiveArena={effectiveArena} />
    </>
  );
}
