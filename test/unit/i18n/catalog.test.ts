/**
 * The Japanese catalog (shared/i18n/ja.ts), and any Japanese text under electron/ and
 * shared/, keeps to one style and one set of terms: no space between Japanese and Latin
 * letters or digits, full-width ？：（） inside Japanese sentences, and none of the words the
 * glossary (docs/GLOSSARY.md, its "Not" column) refuses. Every function of the catalog is
 * called, so a placeholder's surroundings are checked as the user reads them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from '../../../shared/i18n/en.js';
import { ja } from '../../../shared/i18n/ja.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** Kana, kanji and the Japanese punctuation marks. */
const japanese = '\\u3001-\\u303f\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff01-\\uff0f\\uff1a-\\uff20';
const hasJapanese = new RegExp(`[${japanese}]`);

/** Each rule: what it refuses, and what to write instead. */
const styleRules: Array<{ pattern: RegExp; advice: string }> = [
  { pattern: new RegExp(`[${japanese}] +[A-Za-z0-9]|[A-Za-z0-9] +[${japanese}]`), advice: 'no space between Japanese and Latin letters or digits' },
  { pattern: new RegExp(`[${japanese}][?:()]|[?:()][${japanese}]`), advice: 'full-width ？：（） inside Japanese text' },
];

/** The glossary's refused words: every `code` in the "Not" column of its table. */
export function bannedTerms(glossary: string): Array<{ term: string; use: string }> {
  const rows = glossary.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| English'));
  return rows.flatMap((row) => {
    const cells = row.split('|').map((cell) => cell.trim());
    const use = cells[2] ?? '';
    const refused = cells[3] ?? '';
    return [...refused.matchAll(/`([^`]+)`/g)].map((match) => ({ term: match[1] as string, use }));
  });
}

const glossary = readFileSync(path.join(root, 'docs/GLOSSARY.md'), 'utf8');
const banned = bannedTerms(glossary);

/** Sample arguments: a number and a Latin word, to see both next to the Japanese around them. */
const samples: unknown[] = [3, 'Docs'];

/** Every text of a catalog, with its key: strings as they are, functions with each sample. */
function texts(value: unknown, key: string, out: Array<{ key: string; text: string }> = []): Array<{ key: string; text: string }> {
  if (typeof value === 'string') out.push({ key, text: value });
  else if (typeof value === 'function') {
    for (const sample of samples) {
      const args = Array.from({ length: Math.max(1, (value as (...a: unknown[]) => unknown).length) }, () => sample);
      const result = (value as (...a: unknown[]) => unknown)(...args);
      if (typeof result === 'string') out.push({ key: `${key}(${String(sample)})`, text: result });
    }
  } else if (Array.isArray(value)) value.forEach((item, index) => texts(item, `${key}[${index}]`, out));
  else if (typeof value === 'object' && value !== null) for (const [name, item] of Object.entries(value)) texts(item, key === '' ? name : `${key}.${name}`, out);
  return out;
}

/** Japanese string and template literals in the TypeScript sources under `folder` (placeholders read as a Latin word). */
function sourceTexts(folder: string): Array<{ key: string; text: string }> {
  const out: Array<{ key: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.tsx?$/.test(name)) {
        const source = readFileSync(file, 'utf8');
        for (const match of source.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g)) {
          const text = (match[1] ?? match[2] ?? match[3] ?? '').replace(/\$\{[^}]*\}/g, 'Docs');
          if (hasJapanese.test(text)) out.push({ key: path.relative(root, file), text });
        }
      }
    }
  };
  walk(path.join(root, folder));
  return out;
}

/** What is wrong with each text, one line each. */
function problems(list: Array<{ key: string; text: string }>): string[] {
  const found: string[] = [];
  for (const { key, text } of list) {
    for (const rule of styleRules) if (rule.pattern.test(text)) found.push(`${key}: ${rule.advice}: ${text}`);
    for (const { term, use } of banned) if (text.includes(term)) found.push(`${key}: 「${term}」 is not used (the glossary says ${use}): ${text}`);
  }
  return found;
}

describe('the Japanese text', () => {
  it('the glossary refuses the words that read oddly or twice for one thing', () => {
    const terms = banned.map((entry) => entry.term);
    for (const term of ['相手の版', '自分の版', 'あなたの判断', '最近のできごと', '元に戻す', '版', 'このコンピューター']) expect(terms).toContain(term);
  });

  it('the checks catch what they are for', () => {
    expect(problems([{ key: 'a', text: 'TeraCLOUD で削除' }])).toHaveLength(1);
    expect(problems([{ key: 'b', text: '3 個のファイル' }])).toHaveLength(1);
    expect(problems([{ key: 'c', text: '削除しますか?' }])).toHaveLength(1);
    expect(problems([{ key: 'd', text: '詳細:EBUSY' }])).toHaveLength(1);
    expect(problems([{ key: 'e', text: 'TeraCLOUD(InfiniCLOUD)のストレージ' }])).toHaveLength(1);
    expect(problems([{ key: 'f', text: '相手の版を残す' }]).length).toBeGreaterThan(0);
    expect(problems([{ key: 'g', text: 'TeraCLOUD上のバージョンを残す？' }])).toEqual([]);
    expect(problems([{ key: 'h', text: 'Details: EBUSY (busy)' }])).toEqual([]);
  });

  it('the catalog has every text in Japanese, in one style and with the glossary’s terms', () => {
    const list = texts(ja, '');
    // The same keys in the same order: the window's texts and the main process's (tray, notifications, dialogs).
    expect(list.map((entry) => entry.key)).toEqual(texts(en, '').map((entry) => entry.key));
    for (const section of ['tray', 'notifications', 'dialogs']) expect(list.some((entry) => entry.key.startsWith(`${section}.`))).toBe(true);
    expect(problems(list)).toEqual([]);
  });

  it('Japanese text in the main process and the shared code keeps the same style', () => {
    expect(problems([...sourceTexts('electron'), ...sourceTexts('shared')])).toEqual([]);
  });
});
