import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { pageContext } from '@/app/_server/page-context';
import { isAppError } from '@/lib/errors';
import { participantView, type ParticipantView } from '@/lib/study/participate';
import { StudyRunner } from './study-runner';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Study · Pairwise', robots: { index: false, follow: false } };

/**
 * A participant's page of a study. The server renders where they stand (never a model's name);
 * items arrive from the study API in the browser, one at a time, as the design assigns them.
 */
export default async function StudyPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ code?: string | string[] }> }) {
  const { slug } = await params;
  const { code } = await searchParams;
  const { app, actor } = await pageContext();
  let view: ParticipantView;
  try {
    view = await participantView(app, slug, actor);
  } catch (err) {
    if (isAppError(err) && err.code === 'not_found') notFound();
    throw err;
  }
  return (
    <main className="page">
      <StudyRunner slug={slug} initial={view} code={typeof code === 'string' ? code : null} />
    </main>
  );
}
