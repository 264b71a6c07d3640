import { useEffect, useMemo, useState } from "preact/hooks";
import { whenSignedOut } from "./api";
import {
  currentSession,
  type Ending,
  lastEnding,
  type Session,
  signOut,
  takeFragmentToken,
} from "./auth";
import type { ConsoleConfig } from "./config";
import { I18nContext, i18n, initialLanguage, type Language, remember } from "./i18n";
import { Layout } from "./Layout";
import { pagesFor } from "./pages";
import { SignIn } from "./pages/SignIn";
import { matchRoute, useRoute } from "./router";

/** The session (null: signed out) and, when there is none, why the last one ended. */
function signedIn(): { session: Session | null; ending: Ending | null } {
  const session = currentSession();
  return { session, ending: session ? null : lastEnding() };
}

export function App({ config }: { config: ConsoleConfig }) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [{ session, ending }, setAuth] = useState(signedIn);
  const words = useMemo(() => i18n(language), [language]);
  const route = useRoute();
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = words.t("app.title");
  }, [language]);
  useEffect(() => whenSignedOut(() => setAuth(signedIn())), []);
  useEffect(() => {
    // a sign-in link opened in a tab already on the console changes only the fragment
    const arrived = () => {
      takeFragmentToken();
      setAuth(signedIn());
    };
    window.addEventListener("hashchange", arrived);
    return () => window.removeEventListener("hashchange", arrived);
  }, []);
  const choose = (next: Language) => {
    remember(next);
    setLanguage(next);
  };
  const leave = () => {
    signOut("signedOut");
    setAuth(signedIn());
  };
  const pages = session ? pagesFor(session.role) : [];
  // "/" is the role's first page (an EXHIBITOR's: its applications)
  const page = pages.find((p) => matchRoute(p.route, route)) ?? (route === "/" ? pages[0] : undefined);
  const params = page ? matchRoute(page.route, route) ?? {} : {};
  return (
    <I18nContext.Provider value={words}>
      <Layout session={session} pages={pages} route={route} onLanguage={choose} onSignOut={leave}>
        {session === null ? (
          <SignIn config={config} ending={ending} />
        ) : page ? (
          <page.component params={params} />
        ) : (
          <p>{words.t("app.noPages", { role: words.term("role", session.role) })}</p>
        )}
      </Layout>
    </I18nContext.Provider>
  );
}
