/**
 * One process of the concurrent-assignment test (studies.race.test.ts): its participants take
 * slots of one study on a shared SQLite file and judge them as fast as they can, while other
 * processes do the same. Prints what each participant got, as JSON.
 */
import { randomUUID } from 'node:crypto';
import { openDb } from '../index';
import { createBattle } from './battles';
import { assignNext, attachBattle, findParticipant, joinParticipant } from './studies';
import { castVote } from './votes';

const [file, studyId, ...voters] = process.argv.slice(2);
const db = openDb(file);
const got: Record<string, { slot: number; cell: number }[]> = {};
const active = new Set(voters);
await Promise.all(voters.map((v) => joinParticipant({ db, studyId, userId: null, voterId: v })));
while (active.size) {
  for (const voterId of [...active]) {
    const p = (await findParticipant({ db, studyId, voterId }))!;
    const a = await assignNext({ db, studyId, participant: p, policy: { checks: 0, every: 0, quota: null }, checkItems: [], leaseMs: 3_600_000 });
    if ('done' in a) {
      active.delete(voterId);
      continue;
    }
    const id = randomUUID();
    await createBattle({ db, id, modelA: a.slot.modelA, modelB: a.slot.modelB, mode: 'recorded', samplingProbability: 1, studyId });
    if (!(await attachBattle({ db, slotId: a.slot.id, participantId: p.id, battleId: id }))) throw new Error('slot taken from under us');
    await castVote({ db, battleId: id, winner: 'tie', voterId: `study:${p.id}`, leakReason: null });
    (got[voterId] ??= []).push({ slot: a.slot.id, cell: a.slot.cell });
  }
}
process.stdout.write(JSON.stringify(got));
