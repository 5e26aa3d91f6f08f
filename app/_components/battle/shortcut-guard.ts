/**
 * When a single-key vote shortcut (1–4, A, B, T, X) may fire. A vote reveals the names and
 * cannot be taken back, so a key counts as a vote only when everything says the voter meant it:
 *
 * - not while typing: no other printable key in the last TYPING_MS, in a text field or not
 *   (a word typed into the page after the prompt box lost focus is still typing); Enter, which
 *   sends the prompt, ends the typing;
 * - not right after a focus change the voter did not make: when a focused button is disabled or
 *   removed (Regenerate while it runs, Send), the browser moves focus to the page, and keys meant
 *   for the prompt box land there. Such a lost focus disarms the shortcuts until the voter
 *   chooses where they are (a click or tap, Tab, or Esc out of the prompt box);
 * - not in the first moments after a focus change the voter did not make (FOCUS_MS);
 * - only with focus on the page itself or on the vote buttons: a key pressed on any other
 *   control belongs to that control.
 *
 * Pure and clock-driven, so the rules are unit-tested; `useVoteShortcuts` feeds it DOM events.
 */

export const TYPING_MS = 1000;
export const FOCUS_MS = 1000;
/** A focus change this soon after a click, Tab or Esc is the voter's own. */
const INTENT_MS = 150;

export type KeyTarget = 'page' | 'vote-bar' | 'text-field' | 'other-control';

export interface KeyInput {
  key: string;
  target: KeyTarget;
  repeat: boolean;
  modifier: boolean;
  composing: boolean;
}

export class ShortcutGuard {
  /** The last printable key (the typing window; Enter closes it). */
  private typingAt = -Infinity;
  /** The last printable key, Enter or not. */
  private lastPrintableAt = -Infinity;
  private lastFocusInAt = -Infinity;
  private lastFocusChangeAt = -Infinity;
  private lastIntentAt = -Infinity;
  private disarmed = false;
  private enabled = false;

  /** Voting became possible (or impossible). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  /** The voter said where they are: a click or tap (Tab and Esc are seen in `shouldVote`). */
  intent(now: number): void {
    this.lastIntentAt = now;
    this.disarmed = false;
  }

  /** An element took focus after the voter last chose where they were (so if focus is on the page now, it was lost). */
  tookFocusSinceIntent(): boolean {
    return this.lastFocusInAt > this.lastIntentAt;
  }

  /** The voter has typed since they last chose where they were: they may think they are still in a text field. */
  typedSinceIntent(): boolean {
    return this.lastPrintableAt > this.lastIntentAt;
  }

  /** No shortcut until the voter next clicks, taps, tabs or presses Esc. */
  disarm(): void {
    this.disarmed = true;
  }

  /** An element took focus. */
  focusIn(now: number): void {
    this.lastFocusInAt = now;
    if (now - this.lastIntentAt > INTENT_MS) this.lastFocusChangeAt = now;
  }

  /**
   * Every key press goes through here, so that typing is seen even while voting is closed.
   * Returns true when the key is a vote.
   */
  shouldVote(input: KeyInput, now: number): boolean {
    const printable = input.key.length === 1;
    const typedRecently = now - this.typingAt < TYPING_MS;
    if (printable && !input.modifier) this.typingAt = this.lastPrintableAt = now;
    // Enter sends the prompt: the typing is over (the next keys are a new decision).
    if (input.key === 'Enter') this.typingAt = -Infinity;
    if (input.key === 'Tab' || input.key === 'Escape') this.intent(now);

    if (!this.enabled || input.repeat || input.modifier || input.composing || this.disarmed) return false;
    if (input.target !== 'page' && input.target !== 'vote-bar') return false;
    // Focus is on the page, yet an element took it after the voter last chose where they were:
    // that element was disabled or removed under them, and they may think they are still in it.
    const focusLost = input.target === 'page' && this.tookFocusSinceIntent();
    if (typedRecently || focusLost) return false;
    // A focus change the page made waits FOCUS_MS, unless the voter has acted since.
    if (this.lastFocusChangeAt > this.lastIntentAt && now - this.lastFocusChangeAt < FOCUS_MS) return false;
    return true;
  }
}
