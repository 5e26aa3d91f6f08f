import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { AccountMenu } from '@/app/_components/account/account-menu';
import { AuthBasePath } from '@/app/_components/auth-base-path';
import { withBasePath } from '@/lib/base-path';
import './globals.css';

// Every page renders per request: its Content-Security-Policy carries a fresh script nonce (proxy.ts),
// which Next.js can only put on the scripts of a page it renders now.
export const dynamic = 'force-dynamic';

// Files in public/ (made from public/icon.svg by scripts/make-icons.ts). Metadata URLs do not get
// the base path by themselves.
export const metadata: Metadata = {
  title: 'Pairwise',
  description: 'A blind arena and leaderboard for large language models.',
  icons: {
    icon: [
      { url: withBasePath('/favicon.ico'), sizes: '16x16 32x32 48x48' },
      { url: withBasePath('/icon.svg'), type: 'image/svg+xml' },
    ],
    apple: withBasePath('/apple-touch-icon.png'),
  },
  manifest: withBasePath('/manifest.webmanifest'),
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#0e1014' },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <AuthBasePath>
          <a href="#content" className="skip-link">
            Skip to content
          </a>
          <header className="site-header">
            <div className="site-header-inner">
              <Link href="/" className="brand" aria-label="Pairwise home">
                <span className="brand-mark" aria-hidden="true">
                  <span>A</span>
                  <span>B</span>
                </span>
                Pairwise
              </Link>
              <nav aria-label="Main">
                <Link href="/">Arena</Link>
                {/* Not prefetched: the arena page should not pull any model name into the browser before a vote. */}
                <Link href="/leaderboard" prefetch={false}>
                  Leaderboard
                </Link>
                <AccountMenu />
              </nav>
            </div>
          </header>
          <div id="content">{children}</div>
        </AuthBasePath>
      </body>
    </html>
  );
}
