import { useState } from "preact/hooks";
import { type Ending, startOidc } from "../auth";
import type { ConsoleConfig } from "../config";
import { useI18n } from "../i18n";

export function SignIn({ config, ending }: { config: ConsoleConfig; ending: Ending | null }) {
  const { t } = useI18n();
  const [failure, setFailure] = useState<string | null>(null);
  const oidc = config.oidc;
  const go = () => oidc && startOidc(oidc).catch((e: unknown) => setFailure(String(e)));
  return (
    <section class="sign-in">
      <h1>{t("signIn.title")}</h1>
      {ending && (
        <p role="status" class={ending === "signedOut" ? "note" : "warning"}>
          {t(`signIn.${ending}`)}
        </p>
      )}
      <p>{t("signIn.intro")}</p>
      {oidc ? (
        <button type="button" class="primary" onClick={go}>
          {t("signIn.with", { issuer: new URL(oidc.issuer).host })}
        </button>
      ) : (
        <p>{t("signIn.noProvider")}</p>
      )}
      {failure && (
        <p role="alert" class="warning">
          {t("signIn.failed", { message: failure })}
        </p>
      )}
    </section>
  );
}
