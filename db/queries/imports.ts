export * from './sqlite/imports';
