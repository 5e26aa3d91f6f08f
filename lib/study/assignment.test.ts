import { describe, expect, it } from 'vitest';
import { nextStep, participantProgress } from './assignment';

describe('what a participant gets next', () => {
  const policy = { checks: 2, every: 3, quota: 7 };
  it('an attention check after every `every` judgments, in an order rotated by the participant', () => {
    expect(nextStep({ ...policy, itemsDone: 2, checksDone: 0, seq: 1 })).toEqual({ kind: 'item' });
    expect(nextStep({ ...policy, itemsDone: 3, checksDone: 0, seq: 1 })).toEqual({ kind: 'check', index: 1 });
    expect(nextStep({ ...policy, itemsDone: 3, checksDone: 0, seq: 2 })).toEqual({ kind: 'check', index: 0 });
    expect(nextStep({ ...policy, itemsDone: 3, checksDone: 1, seq: 2 })).toEqual({ kind: 'item' });
    expect(nextStep({ ...policy, itemsDone: 6, checksDone: 1, seq: 2 })).toEqual({ kind: 'check', index: 1 });
  });
  it('stops at the quota, after any check that fell due', () => {
    expect(nextStep({ ...policy, quota: 6, itemsDone: 6, checksDone: 1, seq: 0 })).toEqual({ kind: 'check', index: 1 });
    expect(nextStep({ ...policy, quota: 6, itemsDone: 6, checksDone: 2, seq: 0 })).toEqual({ kind: 'done' });
    expect(nextStep({ checks: 0, every: 0, quota: null, itemsDone: 500, checksDone: 0, seq: 0 })).toEqual({ kind: 'item' });
  });
  it('progress: the quota and the checks on the way, shrinking when the study has fewer cells left', () => {
    expect(participantProgress({ ...policy, itemsDone: 0, checksDone: 0, cellsLeft: 40, holding: false })).toEqual({ done: 0, total: 9 });
    expect(participantProgress({ ...policy, itemsDone: 4, checksDone: 1, cellsLeft: 1, holding: true })).toEqual({ done: 5, total: 8 });
    expect(participantProgress({ ...policy, itemsDone: 5, checksDone: 1, cellsLeft: 0, holding: false })).toEqual({ done: 6, total: 6 });
    expect(participantProgress({ checks: 0, every: 0, quota: null, itemsDone: 2, checksDone: 0, cellsLeft: 10, holding: false })).toEqual({ done: 2, total: 12 });
  });
});
