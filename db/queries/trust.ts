export * from './sqlite/trust';
