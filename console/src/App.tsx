import { useEffect, useMemo, useState } from "preact/hooks";
import { whenSignedOut } from "./api";
import { currentSession, type Session, signOut } from "./auth";
import type { ConsoleConfig } from "./config";
import { I18nContext, i18n, initialLanguage, type Language, remember } from "./i18n";
import { Layout } from "./Layout";
import { pagesFor } from "./pages";
import { SignIn } from "./pages/SignIn";
import { useRoute } from "./router";

export function App({ config }: { config: ConsoleConfig }) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [session, setSession] = useState<Session | null>(currentSession);
  const words = useMemo(() => i18n(language), [language]);
  const route = useRoute();
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = words.t("app.title");
  }, [language]);
  useEffect(() => whenSignedOut(() => setSession(null)), []);
  const choose = (next: Language) => {
    remember(next);
    setLanguage(next);
  };
  const leave = () => {
    signOut("signedOut");
    setSession(null);
  };
  const pages = session ? pagesFor(session.role) : [];
  const page = pages.find((p) => p.route === route);
  return (
    <I18nContext.Provider value={words}>
      <Layout session={session} pages={pages} route={route} onLanguage={choose} onSignOut={leave}>
        {session === null ? (
          <SignIn config={config} />
        ) : page ? (
          <page.component />
        ) : (
          <p>{words.t("app.noPages", { role: words.term("role", session.role) })}</p>
        )}
      </Layout>
    </I18nContext.Provider>
  );
}
