export * from './sqlite/users';
