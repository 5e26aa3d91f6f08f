import type { Metadata } from 'next';
import { requireAdminPage } from '@/app/_server/page-context';
import { recordedSets } from '@/lib/study/create';
import { StudyForm } from '../_components/study-form';
import styles from '../_components/studies.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New study · Pairwise' };

export default async function NewStudyPage() {
  const { app } = await requireAdminPage('/admin/studies/new');
  const registry = app.registry();
  const models = registry.models
    .filter((m) => m.enabled)
    .map((m) => ({ id: m.id, name: m.name, recorded: m.provider.kind === 'recorded' }));
  const sets = recordedSets(registry).map((s) => ({ name: s.name, models: s.models }));
  return (
    <div className={styles.page}>
      <div className={styles.head}>
        <h1>New study</h1>
      </div>
      <p className="muted">
        The form writes a study definition, the same JSON that <code>npx pairwise study create FILE.json</code> reads (shown
        below it). Recorded answers and live models may be mixed: live models answer the items&rsquo; text.
      </p>
      <StudyForm models={models} sets={sets} />
    </div>
  );
}
