'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import styles from './admin.module.css';

const LINKS = [
  { href: '/admin', label: 'Overview', testid: 'admin-nav-overview' },
  { href: '/admin/models', label: 'Models', testid: 'admin-nav-models' },
  { href: '/admin/votes', label: 'Votes', testid: 'admin-nav-votes' },
  { href: '/admin/voters', label: 'Voters', testid: 'admin-nav-voters' },
  { href: '/admin/accounts', label: 'Accounts & invites', testid: 'admin-nav-accounts' },
  { href: '/admin/settings', label: 'Settings', testid: 'admin-nav-settings' },
  { href: '/admin/imports', label: 'Imports', testid: 'admin-nav-imports' },
  { href: '/admin/studies', label: 'Studies', testid: 'admin-nav-studies' },
  { href: '/admin/audit', label: 'Audit log', testid: 'admin-nav-audit' },
];

export function AdminNav() {
  const path = usePathname();
  const current = (href: string) => (href === '/admin' ? path === '/admin' : path === href || path.startsWith(`${href}/`));
  return (
    <nav className={styles.nav} aria-label="Console">
      <div className={styles.navTitle}>Console</div>
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} data-testid={l.testid} aria-current={current(l.href) ? 'page' : undefined} prefetch={false}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
