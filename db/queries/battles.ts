export * from './sqlite/battles';
