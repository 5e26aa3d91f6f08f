export * from './sqlite/admin-imports';
