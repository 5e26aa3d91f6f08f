'use client';

import { useState } from 'react';
import { useAdminAction } from './use-admin-action';
import styles from './admin.module.css';

interface Info {
  name: string | null;
  organization: string | null;
  license: string | null;
  link: string | null;
}

/** Facts for a model outside the registry (a name from imported battles): no provider, shown on the leaderboard. */
export function ModelInfoForm({ id, info }: { id: string; info: Info | null }) {
  const { run, pending, error } = useAdminAction();
  const [f, setF] = useState({
    name: info?.name ?? '',
    organization: info?.organization ?? '',
    license: info?.license ?? '',
    link: info?.link ?? '',
  });
  const [saved, setSaved] = useState(false);
  const field = (key: keyof typeof f, placeholder: string, width: string) => (
    <input
      value={f[key]}
      placeholder={placeholder}
      aria-label={`${key} of ${id}`}
      style={{ width }}
      onChange={(e) => {
        setSaved(false);
        setF((x) => ({ ...x, [key]: e.target.value }));
      }}
      data-testid={`info-${key}`}
    />
  );
  return (
    <form
      className={styles.inlineForm}
      data-testid="model-info-form"
      data-model={id}
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await run('/api/admin/model-info', 'PUT', { id, ...f });
        setSaved(ok !== null);
      }}
    >
      {field('name', 'display name', '11em')}
      {field('organization', 'organization', '9em')}
      {field('license', 'license', '7em')}
      {field('link', 'https://…', '12em')}
      <button type="submit" className={`button button-ghost ${styles.smallButton}`} disabled={pending} data-testid="info-save">
        {saved ? 'Saved' : 'Save'}
      </button>
      {error && <span className={styles.error}>{error}</span>}
    </form>
  );
}
