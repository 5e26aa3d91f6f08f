export * from './sqlite/model-info';
