import { route } from '@/lib/edge/route';
import { listConsoleImports } from '@/lib/admin/imports';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'admin' }, async () => ({ imports: await listConsoleImports() }));
