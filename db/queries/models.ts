export * from './sqlite/models';
