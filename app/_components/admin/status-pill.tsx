import type { ModelStatus } from '@/lib/admin/models';
import styles from './admin.module.css';

const LOOK: Record<ModelStatus, { label: string; className: string }> = {
  ready: { label: 'reachable', className: styles.pillOk },
  paused: { label: 'paused', className: styles.pillWarn },
  unreachable: { label: 'unreachable', className: styles.pillBad },
  unchecked: { label: 'not checked', className: styles.pillWarn },
  invalid: { label: 'invalid entry', className: styles.pillBad },
  disabled: { label: 'disabled', className: '' },
};

export function StatusPill({ status }: { status: ModelStatus }) {
  const look = LOOK[status];
  return (
    <span className={`${styles.pill} ${look.className}`} data-testid="model-status" data-status={status}>
      {look.label}
    </span>
  );
}
