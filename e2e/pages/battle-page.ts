import { expect, type Locator, type Page } from '@playwright/test';

export type Side = 'a' | 'b';
export type VoteChoice = 'a' | 'b' | 'tie' | 'bothbad';

/** The battle page at `/`, through its data-testid hooks. */
export class BattlePage {
  readonly promptInput: Locator;
  readonly sendButton: Locator;
  readonly newBattle: Locator;
  readonly regenerate: Locator;
  readonly arena: Locator;
  readonly notice: Locator;
  readonly turnsLeft: Locator;

  constructor(readonly page: Page) {
    this.promptInput = page.getByTestId('prompt-input');
    this.sendButton = page.getByTestId('send-button');
    this.newBattle = page.getByTestId('new-battle');
    this.regenerate = page.getByTestId('regenerate');
    this.arena = page.locator('.arena');
    this.notice = page.getByTestId('battle-notice');
    this.turnsLeft = page.getByTestId('turns-left');
  }

  async goto(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/`);
    await expect(this.promptInput.or(this.page.getByTestId('recorded-picker')).or(this.page.getByTestId('empty-state'))).toBeVisible();
  }

  response(side: Side): Locator {
    return this.page.getByTestId(`response-${side}`);
  }

  /** One side's answer to one turn (1-based). */
  answer(side: Side, turn: number): Locator {
    return this.response(side).locator(`.answer[data-turn="${turn}"]`);
  }

  pane(side: Side): Locator {
    return this.page.locator(`.pane-${side}`);
  }

  modelName(side: Side): Locator {
    return this.page.getByTestId(`model-${side}-name`);
  }

  voteButton(choice: VoteChoice): Locator {
    return this.page.getByTestId(`vote-${choice}`);
  }

  voteButtons(): Locator[] {
    return (['a', 'b', 'tie', 'bothbad'] as const).map((c) => this.voteButton(c));
  }

  async ask(prompt: string): Promise<void> {
    await this.promptInput.fill(prompt);
    await this.sendButton.click();
  }

  /** "New battle" on a battle whose answers could still be voted on: the page asks first; this says yes. */
  async discardAndStartNew(): Promise<void> {
    await this.newBattle.click();
    await this.page.getByTestId('new-battle-confirm-confirm').click();
    await expect(this.arena).toHaveAttribute('data-phase', 'idle');
  }

  /** Waits until the current request has finished streaming (both sides done or failed). */
  async waitForTurnEnd(timeout = 90_000): Promise<void> {
    await expect(this.arena).toHaveAttribute('data-phase', 'ready', { timeout });
  }

  async battleId(): Promise<string> {
    await expect(this.arena).toHaveAttribute('data-battle-id', /.+/);
    return (await this.arena.getAttribute('data-battle-id')) as string;
  }

  async expectVotingEnabled(enabled: boolean): Promise<void> {
    for (const b of this.voteButtons()) {
      if (enabled) await expect(b).toBeEnabled();
      else await expect(b).toBeDisabled();
    }
  }

  /**
   * Clicks the page's heading, as a voter does before using the vote keys: focus leaves any text
   * field, and the click tells the shortcut rules that the voter chose where they are. Then waits
   * out the typing window (a vote key within a second of a typed character counts as typing).
   */
  async blurTextFields(): Promise<void> {
    await this.page.locator('.arena-intro h1').click();
    await this.page.waitForTimeout(1_100);
  }

  async expectRevealed(): Promise<{ a: string; b: string }> {
    await expect(this.arena).toHaveAttribute('data-phase', 'voted');
    await expect(this.modelName('a')).toBeVisible();
    await expect(this.modelName('b')).toBeVisible();
    return { a: (await this.modelName('a').innerText()).trim(), b: (await this.modelName('b').innerText()).trim() };
  }

  /** Which side (if any) shows a failure, judged from the panes. */
  async failedSides(): Promise<Side[]> {
    const out: Side[] = [];
    for (const side of ['a', 'b'] as const) {
      if ((await this.pane(side).getAttribute('data-status')) === 'error') out.push(side);
    }
    return out;
  }
}
