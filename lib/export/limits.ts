/** Longest model name a clean_battle record may carry (characters). */
export const MODEL_NAME_MAX = 256;
