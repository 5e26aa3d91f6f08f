import type { Metadata } from 'next';
import { pageContext } from '@/app/_server/page-context';
import { AdminNav } from '@/app/_components/admin/admin-nav';
import styles from '@/app/_components/admin/admin.module.css';

export const dynamic = 'force-dynamic';

/** Titled as the console for admins only: anyone else gets the plain 404 page, which names nothing. */
export async function generateMetadata(): Promise<Metadata> {
  const { actor } = await pageContext();
  return actor.user?.role === 'admin' ? { title: 'Console · Pairwise', robots: { index: false, follow: false } } : { robots: { index: false, follow: false } };
}

/**
 * The console's frame. Only an admin sees it: for anyone else the page inside sends them to sign
 * in (anonymous) or answers 404 (a voter), and this frame adds nothing that would show the console
 * is there. Each page checks the role itself too, since a layout is not re-rendered when the
 * browser moves between its pages.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const { actor } = await pageContext();
  if (actor.user?.role !== 'admin') return children;
  return (
    <div className={styles.shell}>
      <AdminNav />
      <main className={styles.main} data-testid="admin-main">
        {children}
      </main>
    </div>
  );
}
