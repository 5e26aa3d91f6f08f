import { exclusionCounts } from '../../db/queries/exclusions';
import { listImports } from '../../db/queries/imports';
import { consoleCounts } from '../../db/queries/admin-voters';
import { browseAudit, type AuditView } from './audit';
import type { ConsoleDeps } from './deps';
import { listConsoleModels, type ConsoleModel } from './models';

/** The console's first page: how the arena stands, in a few numbers, and the latest admin actions. */
export interface Overview {
  models: { total: number; ready: number; unreachable: ConsoleModel[]; disabled: number };
  votes: { counted: number; excluded: Record<string, number> };
  voters: number;
  bannedVoters: number;
  accounts: number;
  admins: number;
  imports: number;
  recent: AuditView[];
  mode: 'database' | 'file';
}

export async function consoleOverview(deps: ConsoleDeps): Promise<Overview> {
  const [models, votes, counts, imports, audit] = await Promise.all([
    listConsoleModels(deps),
    exclusionCounts(),
    consoleCounts(),
    listImports(),
    browseAudit({}, 8),
  ]);
  return {
    models: {
      total: models.models.length,
      ready: models.models.filter((m) => m.status === 'ready').length,
      unreachable: models.models.filter((m) => m.status === 'unreachable' || m.status === 'invalid' || m.status === 'unchecked'),
      disabled: models.models.filter((m) => m.status === 'disabled').length,
    },
    votes,
    ...counts,
    imports: imports.length,
    recent: audit.entries,
    mode: deps.registryMode,
  };
}
