'use client';

import { useEffect } from 'react';
import type { Winner } from './api-types';
import { ShortcutGuard, type KeyTarget } from './shortcut-guard';

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
  // Each change of the bar follows a change of the battle (a run starts or ends, a vote is sent),
  // which is when the control the voter used may have been disabled or removed under them.
  useEffect(() => rescueLostFocus(), [enabled, pending, hint]);
  return (
    // tabIndex -1: where focus is put back when the control the voter used went away (rescueLostFocus).
    <div className="vote-bar" role="group" aria-label="Vote" aria-describedby="vote-hint" tabIndex={-1}>
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

const CONTROLS =
  'button, a[href], input, select, textarea, summary, [contenteditable], [role="button"], [role="link"], [role="radio"], [role="tab"], [role="menuitem"], [role="checkbox"]';

/** Where a key press landed, in the terms of the shortcut rules. */
function keyTarget(target: EventTarget | null): KeyTarget {
  if (!(target instanceof HTMLElement) || target === document.body || target === document.documentElement) return 'page';
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return 'text-field';
  if (target.tagName === 'INPUT' && !['button', 'submit', 'reset', 'checkbox', 'radio'].includes((target as HTMLInputElement).type)) {
    return 'text-field';
  }
  if (target.closest('.vote-bar')) return 'vote-bar';
  // A focusable region that is not a control (a scrolling answer pane) is part of the page.
  return target.closest(CONTROLS) ? 'other-control' : 'page';
}

/**
 * One guard for the page, listening from the moment the battle code loads rather than from the
 * moment the vote bar appears: a click on Send before the first battle, or the prompt typed
 * just before, is history the rules need. Capture phase, so typing in the prompt box is seen too.
 */
interface PageGuard {
  guard: ShortcutGuard;
  /** Casts the vote of a shortcut key; false when the key is not one. Null while no vote bar is shown. */
  vote: ((key: string) => boolean) | null;
}

let pageGuard: PageGuard | null = null;

function installPageGuard(): PageGuard {
  if (pageGuard) return pageGuard;
  const state: PageGuard = { guard: new ShortcutGuard(), vote: null };
  window.addEventListener(
    'keydown',
    (event) => {
      const allowed = state.guard.shouldVote(
        {
          key: event.key,
          target: keyTarget(event.target),
          repeat: event.repeat,
          modifier: event.ctrlKey || event.metaKey || event.altKey,
          composing: event.isComposing,
        },
        performance.now(),
      );
      if (allowed && state.vote?.(event.key.toLowerCase())) event.preventDefault();
    },
    true,
  );
  window.addEventListener('pointerdown', () => state.guard.intent(performance.now()), true);
  window.addEventListener('focusin', () => state.guard.focusIn(performance.now()), true);
  pageGuard = state;
  return state;
}

if (typeof window !== 'undefined') installPageGuard();

/**
 * When the control the voter just used was disabled or removed (Regenerate and Send while they
 * run, the prompt box when the last turn is used, the recorded question's start button), the
 * browser drops focus onto the page, where keys meant for the prompt box would land. Put it back
 * where the voter can go on: the prompt box when it takes text, else the vote bar. On the vote
 * bar the keys vote only if the voter was not typing; otherwise they must first click, tap, tab
 * or press Esc. A focus the voter gave the page (a click on it) is left alone.
 */
function rescueLostFocus(): void {
  const { guard } = installPageGuard();
  const active = document.activeElement;
  const onPage = !active || active === document.body || (active instanceof HTMLElement && active.matches(':disabled'));
  if (!onPage || !guard.tookFocusSinceIntent()) return;
  const box = document.querySelector<HTMLElement>('[data-testid="prompt-input"]:not(:disabled)');
  const typing = guard.typedSinceIntent();
  // Our own move, not a focus change to wait out.
  guard.intent(performance.now());
  if (box) {
    box.focus({ preventScroll: true });
    return;
  }
  document.querySelector<HTMLElement>('.vote-bar')?.focus({ preventScroll: true });
  if (typing) guard.disarm();
}

/** 1–4 (or A, B, T, X) vote while the vote bar is shown, under the rules of ShortcutGuard. */
function useVoteShortcuts(enabled: boolean, onVote: (winner: Winner) => void) {
  useEffect(() => {
    const page = installPageGuard();
    page.guard.setEnabled(enabled);
    page.vote = (key) => {
      const option = VOTE_OPTIONS.find((o) => o.keys.includes(key));
      if (!option) return false;
      onVote(option.winner);
      return true;
    };
    return () => {
      page.vote = null;
      page.guard.setEnabled(false);
    };
  }, [enabled, onVote]);
}
