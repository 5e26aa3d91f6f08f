import { describe, expect, it } from 'vitest';
import { categoriesOf, categoryIdSchema, categoryLabel } from './categories';

const base = { language: 'English', isCode: true, promptChars: 10, turns: 2, tags: '["math"]' };

describe('categories of a battle', () => {
  it('an anonymous battle counts on the main board and its categories', () => {
    expect(categoriesOf(base)).toEqual(['overall', 'coding', 'multi-turn', 'language:English', 'tag:math']);
  });

  it('a battle that was not anonymous counts only on the named board, whatever else it is', () => {
    expect(categoriesOf({ ...base, named: 1 })).toEqual(['named']);
    expect(categoriesOf({ ...base, named: true, vision: true })).toEqual(['named']);
  });

  it('an anonymous image battle is on the main board and the vision board', () => {
    expect(categoriesOf({ ...base, isCode: false, turns: 1, tags: null, vision: 1 })).toEqual(['overall', 'vision', 'language:English']);
  });

  it('names and accepts both boards', () => {
    expect(categoryLabel('named')).toBe('Side by side (named)');
    expect(categoryLabel('vision')).toBe('Vision (images)');
    expect(categoryIdSchema.safeParse('named').success).toBe(true);
    expect(categoryIdSchema.safeParse('vision').success).toBe(true);
    expect(categoryIdSchema.safeParse('nameless').success).toBe(false);
  });
});
