/** clean_battle interchange: streaming readers and writers for JSON arrays, JSON Lines and CSV. */
export {
  cleanBattleSchema,
  validateCleanBattle,
  CLEAN_BATTLE_FIELDS,
  MODEL_NAME_MAX,
  type CleanBattle,
  type CleanBattleInput,
} from './clean-battle';
export { MalformedRecordError } from './errors';
export {
  readCleanBattles,
  scanBattles,
  detectFormat,
  type BattleFileFormat,
  type CleanBattleItem,
  type ReadOptions,
  type ScanOptions,
  type BattleVisitor,
} from './read';
export { createBattleWriter, writeCleanBattles, orderedRecord, csvField, CSV_COLUMNS, type BattleWriter } from './write';
export { NameTable } from './name-table';
export type { BattleInput } from './byte-source';
