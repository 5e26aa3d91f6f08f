export * from './sqlite/exports';
