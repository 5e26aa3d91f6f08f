import { requireAdminPage } from '@/app/_server/page-context';
import { modelFormChoices } from '@/lib/admin/models';
import { ModelForm } from '@/app/_components/admin/model-form';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

export default async function NewModelPage() {
  const { app } = await requireAdminPage('/admin/models/new');
  const { files, folders, mode } = await modelFormChoices(app);
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Add a model</h1>
          <p className={styles.subtitle}>It takes part in the next battle once saved. Test the connection first: nothing is stored by a test.</p>
        </div>
      </div>
      {mode === 'file' ? (
        <p className={styles.notice}>The registry is read from the registry file (PAIRWISE_REGISTRY=file): add models there.</p>
      ) : (
        <ModelForm entry={null} files={files} folders={folders} />
      )}
    </>
  );
}
