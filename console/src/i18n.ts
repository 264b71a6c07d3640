// Translations: one flat dictionary per language (i18n/<lang>.json, the same keys in
// each: tests/unit/test_console_dictionaries.py checks), "{name}" placeholders, and
// dates and numbers through Intl. The language: the one remembered (localStorage),
// else the first of the browser's languages we have, else English.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import en from "./i18n/en.json";
import zh from "./i18n/zh-CN.json";

export type Key = keyof typeof en;
export const LANGUAGES = { en: { name: "English", words: en }, "zh-CN": { name: "简体中文", words: zh } };
export type Language = keyof typeof LANGUAGES;
const REMEMBERED = "pavilion.language";

function known(tag: string): Language | null {
  if (tag in LANGUAGES) return tag as Language;
  const base = tag.toLowerCase().split("-")[0];
  return base === "zh" ? "zh-CN" : base === "en" ? "en" : null;
}

export function initialLanguage(): Language {
  const remembered = localStorage.getItem(REMEMBERED);
  if (remembered && remembered in LANGUAGES) return remembered as Language;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const language = known(tag);
    if (language) return language;
  }
  return "en";
}

export function remember(language: Language): void {
  localStorage.setItem(REMEMBERED, language);
  document.documentElement.lang = language;
}

export interface I18n {
  language: Language;
  t: (key: Key, values?: Record<string, string | number>) => string;
  /** an enum value's name: `kind` is the dictionary's prefix (status, area, stage, role) */
  term: (kind: "status" | "area" | "stage" | "role", value: string) => string;
  number: (n: number) => string;
  percent: (share: number) => string;
  date: (iso: string) => string;
}

export function i18n(language: Language): I18n {
  const words: Record<string, string> = LANGUAGES[language].words;
  const t = (key: string, values: Record<string, string | number> = {}) =>
    (words[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
  const numbers = new Intl.NumberFormat(language);
  const percents = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 });
  const dates = new Intl.DateTimeFormat(language, { dateStyle: "medium" });
  return {
    language,
    t,
    term: (kind, value) => (`${kind}.${value}` in words ? t(`${kind}.${value}`) : value),
    number: (n) => numbers.format(n),
    percent: (share) => percents.format(share),
    date: (iso) => dates.format(new Date(iso)),
  };
}

export const I18nContext = createContext<I18n>(i18n("en"));
export const useI18n = (): I18n => useContext(I18nContext);
