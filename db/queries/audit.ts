export * from './sqlite/audit';
