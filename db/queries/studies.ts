export * from './sqlite/studies';
