import { describe, expect, it } from 'vitest';
import { categorizePrompt, detectLanguage, looksLikeCode, tagsFor } from './categorize';

describe('detectLanguage', () => {
  it.each([
    ['What is the capital of France?', 'English'],
    ['Explain how a transformer works, please.', 'English'],
    ['¿Cuál es la capital de Francia y por qué es importante?', 'Spanish'],
    ['Quelle est la capitale de la France et pourquoi est-elle importante ?', 'French'],
    ['Was ist die Hauptstadt von Deutschland und warum ist sie wichtig?', 'German'],
    ['Какая столица Франции?', 'Russian'],
    ['法国的首都是哪里？', 'Chinese'],
    ['フランスの首都はどこですか？', 'Japanese'],
    ['日本の首都は東京です', 'Japanese'],
    ['프랑스의 수도는 어디입니까?', 'Korean'],
    ['ما هي عاصمة فرنسا؟', 'Arabic'],
    ['12345 + 678 = ?', 'unknown'],
    ['Say hello', 'English'],
    ['Größenordnung Straßenbahn', 'unknown'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('goes by the dominant script in mixed text', () => {
    expect(detectLanguage('请把这段话翻译成英文: hello')).toBe('Chinese');
    expect(detectLanguage('Translate 你好 into English for me please')).toBe('English');
  });
});

describe('looksLikeCode', () => {
  it('sees fenced code, code lines and programming requests', () => {
    expect(looksLikeCode('Why does this fail?\n```\nx = 1\n```')).toBe(true);
    expect(looksLikeCode('def f(x):\n    return x + 1')).toBe(true);
    expect(looksLikeCode('Write a Python script that renames files.')).toBe(true);
    expect(looksLikeCode('for (let i = 0; i < n; i++) {\n  sum += i;\n}')).toBe(true);
  });

  it('leaves ordinary prose alone', () => {
    expect(looksLikeCode('Write a haiku about autumn leaves.')).toBe(false);
    expect(looksLikeCode('What should I cook tonight? I have eggs; also some rice.')).toBe(false);
  });
});

describe('categorizePrompt', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(categorizePrompt('héllo 👋').promptChars).toBe(7);
    expect(categorizePrompt('Write a poem about the sea.')).toEqual({ language: 'English', isCode: false, promptChars: 27 });
  });
});

describe('tagsFor', () => {
  const rules = [
    { tag: 'math', pattern: '\\b(integral|equation|solve for)\\b' },
    { tag: 'travel', pattern: 'itinerar(y|ies)' },
  ];

  it('tags a prompt with every matching rule, case-insensitively, sorted and without repeats', () => {
    expect(tagsFor('Plan an ITINERARY, then solve for x in this equation', rules)).toEqual(['math', 'travel']);
    expect(tagsFor('Write a haiku', rules)).toEqual([]);
  });

  it("adds a recorded question's category", () => {
    expect(tagsFor('What is the integral of x?', rules, 'math')).toEqual(['math']);
    expect(tagsFor('Write a poem', rules, 'writing')).toEqual(['writing']);
    expect(tagsFor('Write a poem', [], null)).toEqual([]);
  });
});
