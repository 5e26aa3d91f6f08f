export * from './sqlite/settings';
