'use client';

import { useEffect } from 'react';
import type { Winner } from './api-types';

export interface VoteOption {
  winner: Winner;
  label: string;
  testId: string;
  /** Keys that cast this vote when focus is not in a text field. */
  keys: string[];
  icon: string;
}

export const VOTE_OPTIONS: VoteOption[] = [
  { winner: 'model_a', label: 'A is better', testId: 'vote-a', keys: ['1', 'a'], icon: '←' },
  { winner: 'model_b', label: 'B is better', testId: 'vote-b', keys: ['2', 'b'], icon: '→' },
  { winner: 'tie', label: 'Tie', testId: 'vote-tie', keys: ['3', 't'], icon: '=' },
  { winner: 'tie (bothbad)', label: 'Both are bad', testId: 'vote-bothbad', keys: ['4', 'x'], icon: '×' },
];

interface Props {
  enabled: boolean;
  /** Why voting is not possible right now, or how to vote (shown under the buttons). */
  hint: string;
  /** The keyboard part of the hint, hidden on touch screens. */
  keyHint?: string;
  chosen: Winner | null;
  pending: boolean;
  onVote: (winner: Winner) => void;
}

export function VoteBar({ enabled, hint, keyHint, chosen, pending, onVote }: Props) {
  useVoteShortcuts(enabled, onVote);
  return (
    <div className="vote-bar" role="group" aria-label="Vote" aria-describedby="vote-hint">
      <div className="vote-buttons">
        {VOTE_OPTIONS.map((option) => (
          <button
            key={option.winner}
            type="button"
            className={`vote-button vote-${option.testId.slice(5)}${chosen === option.winner ? ' is-chosen' : ''}`}
            data-testid={option.testId}
            disabled={!enabled}
            aria-pressed={chosen === option.winner}
            aria-keyshortcuts={option.keys.map((k) => k.toUpperCase()).join(' ')}
            onClick={() => onVote(option.winner)}
          >
            <span className="vote-icon" aria-hidden="true">
              {option.icon}
            </span>
            <span className="vote-label">{pending && chosen === option.winner ? 'Sending…' : option.label}</span>
            <kbd className="key-hint" aria-hidden="true">
              {option.keys[0]}
            </kbd>
          </button>
        ))}
      </div>
      <p id="vote-hint" className="vote-hint" aria-live="polite">
        {hint}
        {keyHint ? (
          <>
            <span className="key-hint">{keyHint}</span>.
          </>
        ) : null}
      </p>
    </div>
  );
}

function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'TEXTAREA' || tag === 'SELECT' || (tag === 'INPUT' && (target as HTMLInputElement).type !== 'button');
}

/** 1–4 (or A, B, T, X) vote while focus is outside any text field. */
function useVoteShortcuts(enabled: boolean, onVote: (winner: Winner) => void) {
  useEffect(() => {
    if (!enabled) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.repeat || event.ctrlKey || event.metaKey || event.altKey || isTextTarget(event.target)) return;
      const key = event.key.toLowerCase();
      const option = VOTE_OPTIONS.find((o) => o.keys.includes(key));
      if (!option) return;
      event.preventDefault();
      onVote(option.winner);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled, onVote]);
}
