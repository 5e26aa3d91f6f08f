import { dialect } from '../store';
import * as pg from './pg/ratings-input';
import * as sqlite from './sqlite/ratings-input';

export * from './sqlite/ratings-input';
export const bumpRatingsInput = dialect(sqlite.bumpRatingsInput, pg.bumpRatingsInput);
export const ratingsInputStamp = dialect(sqlite.ratingsInputStamp, pg.ratingsInputStamp);
export const storeFullPassMark = dialect(sqlite.storeFullPassMark, pg.storeFullPassMark);
export const readFullPassMark = dialect(sqlite.readFullPassMark, pg.readFullPassMark);
