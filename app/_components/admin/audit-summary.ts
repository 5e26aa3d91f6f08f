import type { AuditEntry } from '@/db/schema';

const VERBS: Record<string, string> = {
  'model.create': 'added model',
  'model.update': 'edited model',
  'model.enable': 'enabled model',
  'model.disable': 'disabled model',
  'model.deprecate': 'deprecated model',
  'model.undeprecate': 'undeprecated model',
  'model.weight': 're-weighted model',
  'model_info.update': 'set facts of model',
  'settings.update': 'changed settings',
  'vote.exclude': 'excluded vote',
  'vote.restore': 'restored vote',
  'vote.clear': 'cleared the decision on vote',
  'voter.ban': 'banned voter',
  'voter.unban': 'unbanned voter',
  'account.role': 'changed the role of account',
  'account.disable': 'disabled account',
  'account.enable': 'enabled account',
  'account.update': 'updated account',
  'invite.create': 'created invite',
  'invite.revoke': 'revoked invite',
  'import.delete': 'removed import',
};

/** One line for an audit entry: "disabled model gpt-4o". */
export function auditSummary(e: Pick<AuditEntry, 'action' | 'target'>): string {
  const verb = e.action
    .split(',')
    .map((a) => VERBS[a] ?? a)
    .join(', ');
  return e.target ? `${verb} ${e.target}` : verb;
}
