import { describe, expect, it } from 'vitest';
import { FOCUS_MS, ShortcutGuard, TYPING_MS, type KeyInput, type KeyTarget } from './shortcut-guard';

const key = (k: string, target: KeyTarget = 'page', extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  target,
  repeat: false,
  modifier: false,
  composing: false,
  ...extra,
});

/** A guard whose voting opened long ago, after the voter clicked on the page. */
function openGuard(): ShortcutGuard {
  const g = new ShortcutGuard();
  g.setEnabled(true);
  g.intent(10);
  return g;
}

describe('ShortcutGuard', () => {
  it('lets a deliberate key on the page or the vote bar vote', () => {
    const g = openGuard();
    expect(g.shouldVote(key('1'), 5_000)).toBe(true);
    expect(g.shouldVote(key('b', 'vote-bar'), 10_000)).toBe(true);
  });

  it('never votes from a text field or another control, nor while voting is closed', () => {
    const g = openGuard();
    expect(g.shouldVote(key('a', 'text-field'), 5_000)).toBe(false);
    expect(g.shouldVote(key('2', 'other-control'), 10_000)).toBe(false);
    g.setEnabled(false);
    expect(g.shouldVote(key('3'), 20_000)).toBe(false);
  });

  it('treats a key within the typing window of another printable key as typing, wherever it was typed', () => {
    const g = openGuard();
    expect(g.shouldVote(key('h', 'text-field'), 5_000)).toBe(false);
    expect(g.shouldVote(key('a'), 5_000 + TYPING_MS - 1)).toBe(false);
    // Each blocked key extends the typing: "a b t x" typed into the page never votes.
    let t = 5_000 + TYPING_MS - 1;
    for (const k of [' ', 'b', ' ', 't', 'x', '1', '2', '3', '4']) {
      t += 150;
      expect(g.shouldVote(key(k), t)).toBe(false);
    }
    expect(g.shouldVote(key('1'), t + TYPING_MS)).toBe(true);
  });

  it('ends the typing with Enter: prompt, Enter, Esc and a key vote at once', () => {
    const g = openGuard();
    g.focusIn(1_000);
    expect(g.shouldVote(key('x', 'text-field'), 60_000)).toBe(false);
    expect(g.shouldVote(key('Enter', 'text-field'), 60_100)).toBe(false);
    expect(g.shouldVote(key('Escape', 'text-field'), 60_300)).toBe(false);
    expect(g.shouldVote(key('2'), 60_400)).toBe(true);
  });

  it('disarms when focus was lost from a control that was disabled or removed, until the voter clicks, tabs or presses Esc', () => {
    const g = openGuard();
    // Click on Regenerate: the click, then the button takes focus, then it is disabled (focus falls to the page).
    g.intent(1_000);
    g.focusIn(1_010);
    expect(g.shouldVote(key('a'), 8_000)).toBe(false);
    expect(g.shouldVote(key('1'), 20_000)).toBe(false);
    g.intent(30_000);
    expect(g.shouldVote(key('1'), 31_000)).toBe(true);

    g.focusIn(40_000);
    expect(g.shouldVote(key('Escape', 'text-field'), 41_000)).toBe(false);
    expect(g.shouldVote(key('2'), 41_000 + TYPING_MS)).toBe(true);
  });

  it('stays disarmed after disarm() until the voter clicks, tabs or presses Esc', () => {
    const g = openGuard();
    g.disarm();
    expect(g.shouldVote(key('1', 'vote-bar'), 50_000)).toBe(false);
    g.shouldVote(key('Tab', 'vote-bar'), 60_000);
    expect(g.shouldVote(key('1', 'vote-bar'), 62_000)).toBe(true);
    g.disarm();
    g.intent(70_000);
    expect(g.shouldVote(key('1', 'vote-bar'), 72_000)).toBe(true);
  });

  it('knows whether the voter typed since their last click, even across Enter', () => {
    const g = openGuard();
    expect(g.typedSinceIntent()).toBe(false);
    g.shouldVote(key('h', 'text-field'), 1_000);
    g.shouldVote(key('Enter', 'text-field'), 1_100);
    expect(g.typedSinceIntent()).toBe(true);
    g.intent(2_000);
    expect(g.typedSinceIntent()).toBe(false);
  });

  it('waits after a focus change the voter did not make', () => {
    const g = new ShortcutGuard();
    g.setEnabled(true);
    // Focus moved by the page itself (no click, Tab or Esc before it) onto a vote button.
    g.focusIn(200_000);
    expect(g.shouldVote(key('1', 'vote-bar'), 200_000 + FOCUS_MS - 1)).toBe(false);
    expect(g.shouldVote(key('1', 'vote-bar'), 200_000 + FOCUS_MS + TYPING_MS)).toBe(true);

    // The voter acts after the page moved focus (Tab onward): no need to wait.
    g.focusIn(300_000);
    g.shouldVote(key('Tab', 'vote-bar'), 300_100);
    expect(g.shouldVote(key('1', 'vote-bar'), 300_200)).toBe(true);
  });

  it('ignores auto-repeat, modifier chords and IME composition', () => {
    const g = openGuard();
    expect(g.shouldVote(key('1', 'page', { repeat: true }), 5_000)).toBe(false);
    expect(g.shouldVote(key('a', 'page', { modifier: true }), 10_000)).toBe(false);
    expect(g.shouldVote(key('b', 'page', { composing: true }), 15_000)).toBe(false);
  });
});
