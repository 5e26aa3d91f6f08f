export * from './sqlite/votes';
