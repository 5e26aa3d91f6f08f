import { notFound } from 'next/navigation';
import { requireAdminPage } from '@/app/_server/page-context';
import { getConsoleModel, modelFormChoices } from '@/lib/admin/models';
import { isAppError } from '@/lib/errors';
import { ModelForm } from '@/app/_components/admin/model-form';
import { StatusPill } from '@/app/_components/admin/status-pill';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function EditModelPage({ searchParams }: { searchParams: SearchParams }) {
  const raw = (await searchParams).id;
  const id = Array.isArray(raw) ? raw[0] : raw;
  const { app } = await requireAdminPage(`/admin/models/edit?id=${encodeURIComponent(id ?? '')}`);
  if (!id) notFound();
  const model = await getConsoleModel(app, id).catch((err) => {
    if (isAppError(err) && err.code === 'not_found') notFound();
    throw err;
  });
  const { files, folders, mode } = await modelFormChoices(app);
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>
            {model.entry?.name ?? id} <StatusPill status={model.status} />
          </h1>
          <p className={styles.subtitle}>
            <code>{id}</code>
            {model.reason ? ` · ${model.reason}` : ''}
          </p>
        </div>
      </div>
      {mode === 'file' ? (
        <p className={styles.notice}>The registry is read from the registry file (PAIRWISE_REGISTRY=file): edit the model there.</p>
      ) : model.entry ? (
        <ModelForm entry={model.entry} files={files} folders={folders} />
      ) : (
        <p className={styles.error}>The stored entry no longer validates; the model is left out of the registry until it is fixed.</p>
      )}
    </>
  );
}
