import Link from 'next/link';
import { requireAdminPage } from '@/app/_server/page-context';
import { listConsoleModels } from '@/lib/admin/models';
import { listImportedModels } from '@/lib/admin/model-info';
import type { ModelEntry } from '@/lib/registry/schema';
import { ModelActions } from '@/app/_components/admin/model-actions';
import { ModelInfoForm } from '@/app/_components/admin/model-info-form';
import { StatusPill } from '@/app/_components/admin/status-pill';
import { int, when } from '@/app/_components/admin/format';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

function where(entry: ModelEntry): string {
  const p = entry.provider;
  switch (p.kind) {
    case 'openai-compatible':
      return `${p.model} at ${p.baseURL}`;
    case 'openai':
    case 'anthropic':
    case 'google':
      return `${p.model}${p.baseURL ? ` at ${p.baseURL}` : ''}`;
    case 'gguf':
      return p.path;
    case 'recorded':
      return `${p.set} · ${p.answers}`;
  }
}

export default async function AdminModelsPage() {
  const { app } = await requireAdminPage('/admin/models');
  const [{ models, mode, folders }, imported] = await Promise.all([listConsoleModels(app), listImportedModels(app)]);
  const editable = mode === 'database';
  return (
    <>
      <div className={styles.head}>
        <div>
          <h1 className={styles.title}>Models</h1>
          <p className={styles.subtitle}>
            The live registry. Changes apply to the next battle; battles in progress finish with the settings they started with.
            API keys are named by their environment variable, never stored. Files must lie in {folders.join(', ')} or the
            reference data (@data/…).
          </p>
        </div>
        {editable && (
          <Link href="/admin/models/new" className={`button button-primary ${styles.linkButton}`} data-testid="model-add">
            Add model
          </Link>
        )}
      </div>
      {!editable && (
        <p className={styles.notice} data-testid="registry-read-only">
          The registry is read from the registry file (PAIRWISE_REGISTRY=file), so it is shown read-only here: edit the file and
          restart to change it.
        </p>
      )}
      <div className={`${styles.card} ${styles.tableWrap}`}>
        <table className={styles.table} data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Provider</th>
              <th>Health</th>
              <th className={styles.num}>Weight</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {models.length === 0 && (
              <tr>
                <td colSpan={5} className={styles.muted}>
                  No models yet. Add one, or list them in models.json (read on a store&apos;s first start).
                </td>
              </tr>
            )}
            {models.map((m) => (
              <tr key={m.id} data-testid="model-row" data-model={m.id}>
                <td>
                  <strong>{m.entry?.name ?? m.id}</strong>
                  {m.entry?.deprecated && <span className={`${styles.pill} ${styles.pillWarn}`}> deprecated</span>}
                  <div className={`${styles.mono} ${styles.muted}`}>{m.id}</div>
                  <div className={`${styles.small} ${styles.muted}`}>
                    {m.entry?.organization ?? 'unknown'} · {m.source === 'file' ? 'from models.json' : m.source === 'console' ? 'added here' : m.source} · {when(m.updatedAt)}
                  </div>
                </td>
                <td>
                  <div>{m.entry?.provider.kind ?? '–'}</div>
                  {m.entry && <div className={`${styles.mono} ${styles.muted}`}>{where(m.entry)}</div>}
                  {m.entry && 'apiKeyEnv' in m.entry.provider && m.entry.provider.apiKeyEnv && (
                    <div className={`${styles.small} ${styles.muted}`}>key from ${m.entry.provider.apiKeyEnv}</div>
                  )}
                </td>
                <td>
                  <StatusPill status={m.status} />
                  {m.reason && (
                    <div className={styles.reason} data-testid="model-reason">
                      {m.reason}
                    </div>
                  )}
                  {m.checkedAt && <div className={`${styles.small} ${styles.muted}`}>checked {when(m.checkedAt)}</div>}
                </td>
                <td className={styles.num}>{m.entry?.weight ?? '–'}</td>
                <td>
                  {m.entry ? (
                    <ModelActions
                      id={m.id}
                      enabled={m.entry.enabled}
                      deprecated={m.entry.deprecated}
                      weight={m.entry.weight}
                      editable={editable}
                      editHref={`/admin/models/edit?id=${encodeURIComponent(m.id)}`}
                    />
                  ) : (
                    editable && (
                      <Link href={`/admin/models/edit?id=${encodeURIComponent(m.id)}`} data-testid="model-edit">
                        Edit
                      </Link>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section className={styles.section}>
        <div className={styles.sectionHead}>
          <h2>Models outside the registry</h2>
          <span className={`${styles.small} ${styles.muted}`}>names found in imported battles</span>
        </div>
        <p className={`${styles.small} ${styles.muted}`} style={{ margin: 0 }}>
          They have no provider and never take part in battles here. What you set is shown on the leaderboard instead of “unknown”.
        </p>
        <div className={`${styles.card} ${styles.tableWrap}`}>
          <table className={styles.table} data-testid="imported-models-table">
            <thead>
              <tr>
                <th>Name in the battles</th>
                <th className={styles.num}>Votes on the board</th>
                <th>Name, organization, license, link</th>
              </tr>
            </thead>
            <tbody>
              {imported.length === 0 && (
                <tr>
                  <td colSpan={3} className={styles.muted}>
                    None: every model in the battles is in the registry.
                  </td>
                </tr>
              )}
              {imported.map((m) => (
                <tr key={m.id} data-testid="imported-model-row" data-model={m.id}>
                  <td className={styles.mono}>{m.id}</td>
                  <td className={styles.num}>{m.votes === null ? '–' : int(m.votes)}</td>
                  <td>
                    <ModelInfoForm id={m.id} info={m.info} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
