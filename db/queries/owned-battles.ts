export * from './sqlite/owned-battles';
