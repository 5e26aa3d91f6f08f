export * from './sqlite/admin-voters';
