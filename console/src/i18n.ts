// Translations: a dictionary per language and area (i18n/<lang>/<area>.json: each area
// a page or part of the console, with the same keys in every language, no key in two
// areas; tests/unit/test_console_serving.py checks that, and that every key the source
// names exists), "{name}" placeholders, and dates and numbers through Intl. The
// language: the one remembered (localStorage), else the first of the browser's
// languages we have, else English.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

const AREAS = import.meta.glob<Record<string, string>>("./i18n/*/*.json", {
  eager: true,
  import: "default",
});

function dictionary(language: string): Record<string, string> {
  const words: Record<string, string> = {};
  for (const [path, area] of Object.entries(AREAS)) {
    if (path.startsWith(`./i18n/${language}/`)) Object.assign(words, area);
  }
  return words;
}

export type Key = string;
export const LANGUAGES = {
  en: { name: "English", words: dictionary("en") },
  "zh-CN": { name: "简体中文", words: dictionary("zh-CN") },
};
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
