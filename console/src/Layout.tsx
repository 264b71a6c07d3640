import type { ComponentChildren } from "preact";
import type { Session } from "./auth";
import { LANGUAGES, type Language, useI18n } from "./i18n";
import type { Page } from "./pages";
import { BASE, navigate } from "./router";

interface Props {
  session: Session | null;
  pages: Page[];
  route: string;
  onLanguage: (language: Language) => void;
  onSignOut: () => void;
  children: ComponentChildren;
}

export function Layout({ session, pages, route, onLanguage, onSignOut, children }: Props) {
  const { t, term, language } = useI18n();
  const follow = (event: MouseEvent, to: string) => {
    event.preventDefault();
    navigate(to);
  };
  return (
    <>
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <header>
        <strong class="brand">{t("app.title")}</strong>
        {pages.length > 0 && (
          <nav aria-label={t("nav.label")}>
            {pages.filter((page) => !page.route.includes(":")).map((page) => (
              <a
                href={BASE + page.route}
                aria-current={page.route === route ? "page" : undefined}
                onClick={(e) => follow(e, page.route)}
              >
                {t(page.title)}
              </a>
            ))}
          </nav>
        )}
        <label class="language">
          {t("header.language")}{" "}
          <select
            value={language}
            onChange={(e) => onLanguage((e.target as HTMLSelectElement).value as Language)}
          >
            {Object.entries(LANGUAGES).map(([code, { name }]) => (
              <option value={code} lang={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {session && (
          <div class="who">
            <span data-testid="subject">{t("header.signedInAs", { subject: session.subject })}</span>
            <span data-testid="role">{t("header.role", { role: term("role", session.role) })}</span>
            <button type="button" onClick={onSignOut}>
              {t("header.signOut")}
            </button>
          </div>
        )}
      </header>
      <main id="main">{children}</main>
    </>
  );
}
