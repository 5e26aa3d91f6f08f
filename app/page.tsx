import { Arena } from '@/app/_components/battle/arena';

/**
 * The battle page. It is a static shell: everything about a battle arrives from the battle API
 * in the browser, and nothing that names a model is rendered on the server.
 */
export default function ArenaPage() {
  return (
    <main className="page page-arena">
      <Arena />
    </main>
  );
}
