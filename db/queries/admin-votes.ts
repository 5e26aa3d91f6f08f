export * from './sqlite/admin-votes';
