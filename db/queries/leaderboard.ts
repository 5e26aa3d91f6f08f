export * from './sqlite/leaderboard';
