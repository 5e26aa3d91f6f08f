import type { Metadata } from 'next';
import './globals.css';

export const metadata: Metadata = {
  title: 'Pairwise',
  description: 'A blind arena and leaderboard for large language models.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
