import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: 'Pairwise',
  description: 'A blind arena and leaderboard for large language models.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Pairwise
          </Link>
          <nav>
            <Link href="/">Arena</Link>
            <Link href="/leaderboard">Leaderboard</Link>
          </nav>
        </header>
        {children}
      </body>
    </html>
  );
}
