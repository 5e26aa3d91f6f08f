import { dialect } from '../store';
import * as pg from './pg/settings';
import * as sqlite from './sqlite/settings';

export * from './sqlite/settings';
export const readSettingRows = dialect(sqlite.readSettingRows, pg.readSettingRows);
export const settingsVersion = dialect(sqlite.settingsVersion, pg.settingsVersion);
export const writeSetting = dialect(sqlite.writeSetting, pg.writeSetting);
