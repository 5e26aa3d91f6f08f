import { dialect } from '../store';
import * as pg from './pg/exclusions';
import * as sqlite from './sqlite/exclusions';

export * from './sqlite/exclusions';
export const recomputeExclusions = dialect(sqlite.recomputeExclusions, pg.recomputeExclusions);
export const exclusionCounts = dialect(sqlite.exclusionCounts, pg.exclusionCounts);
export const storeExclusionCounts = dialect(sqlite.storeExclusionCounts, pg.storeExclusionCounts);
export const storedExclusionCounts = dialect(sqlite.storedExclusionCounts, pg.storedExclusionCounts);
