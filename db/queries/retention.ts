export * from './sqlite/retention';
