/**
 * The two win rates, each with its own name, so that a board, a model page and an export never
 * mean different things by one word.
 *
 * - win rate (ties half): (wins + ties / 2) / battles — the score that Bradley-Terry with ties
 *   as half wins fits; defined whenever the model has a battle.
 * - decided win rate: wins / (wins + losses) — ties left out, as Chatbot Arena's win-fraction
 *   heatmap; null when every battle was a tie.
 */
export interface WinCounts {
  wins: number;
  losses: number;
  ties: number;
}

export const WIN_RATE_LABEL = 'win rate (ties half)';
export const DECIDED_WIN_RATE_LABEL = 'decided win rate';

/** (wins + ties / 2) / (wins + losses + ties); 0 without battles. */
export function winRateTiesHalf(c: WinCounts): number {
  const battles = c.wins + c.losses + c.ties;
  return battles > 0 ? (c.wins + c.ties / 2) / battles : 0;
}

/** wins / (wins + losses); null when there was no decided battle. */
export function decidedWinRate(c: Pick<WinCounts, 'wins' | 'losses'>): number | null {
  const decided = c.wins + c.losses;
  return decided > 0 ? c.wins / decided : null;
}
