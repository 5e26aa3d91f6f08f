export * from './sqlite/pair-counts';
