export * from './sqlite/voters';
