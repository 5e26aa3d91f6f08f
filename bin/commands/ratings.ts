export const summary = '(not built yet)';

export async function run(): Promise<number> {
  console.error('pairwise ratings: not built yet');
  return 1;
}
