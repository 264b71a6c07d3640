// The edition dashboard: the editionDashboard query of the chosen edition (the latest
// by default: the 4th expo in the demo), re-fetched when exhibitorChanged reports a change.
import { useEffect, useState } from "preact/hooks";
import { useLive, useQuery } from "../api";
import { BarChart } from "../components/BarChart";
import { Split } from "../components/Split";
import { useI18n } from "../i18n";

interface Count {
  key: string;
  count: number;
}
export interface Edition {
  code: string;
  name: string;
  startsOn: string;
}
interface Dashboard {
  totalExhibitors: number;
  exhibitorsByStatus: Count[];
  exhibitorsByCountry: Count[];
  exhibitorsBySupplyChainArea: Count[];
  foreignShare: number;
  boothsFree: number;
  boothsTaken: number;
  interestsByStage: Count[];
  conversionByOutreachEvent: { event: { id: string; name: string }; interests: number; converted: number }[];
}

export const EDITIONS = "query Editions { editions { code name startsOn } }";
const DASHBOARD = `query Dashboard($edition: String!) {
  editionDashboard(edition: $edition) {
    totalExhibitors foreignShare boothsFree boothsTaken
    exhibitorsByStatus { key count } exhibitorsByCountry { key count }
    exhibitorsBySupplyChainArea { key count } interestsByStage { key count }
    conversionByOutreachEvent { event { id name } interests converted }
  }
}`;
const CHANGED = "subscription Changed($edition: String!) { exhibitorChanged(edition: $edition) { id } }";

/** The latest edition by start date: the one being prepared (the demo's 4th expo). */
export function latest(editions: Edition[]): string | null {
  const sorted = [...editions].sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  return sorted[sorted.length - 1]?.code ?? null;
}

export function Dashboard() {
  const words = useI18n();
  const { t, term, number, percent } = words;
  const editions = useQuery<{ editions: Edition[] }>(EDITIONS, {});
  const [edition, setEdition] = useState<string | null>(null);
  useEffect(() => {
    if (edition === null && editions.data) setEdition(latest(editions.data.editions));
  }, [editions.data]);
  const variables = edition === null ? null : { edition };
  const dashboard = useQuery<{ editionDashboard: Dashboard }>(DASHBOARD, variables);
  useLive(CHANGED, variables, dashboard.refetch);
  const error = editions.error ?? dashboard.error;
  const d = dashboard.data?.editionDashboard;
  const counts = (kind: "status" | "area" | "stage" | null, list: Count[]) =>
    list.map((c) => ({ label: kind ? term(kind, c.key) : c.key, value: c.count }));
  const countries = new Intl.DisplayNames([words.language], { type: "region" });
  const foreign = d ? Math.round(d.foreignShare * d.totalExhibitors) : 0;
  return (
    <section class="dashboard">
      <h1>{t("dashboard.title")}</h1>
      <label>
        {t("dashboard.edition")}{" "}
        <select
          value={edition ?? ""}
          onChange={(e) => setEdition((e.target as HTMLSelectElement).value)}
        >
          {editions.data?.editions.map((e) => (
            <option value={e.code}>{e.name}</option>
          ))}
        </select>
      </label>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!d ? (
        !error && <p>{t("app.loading")}</p>
      ) : (
        <>
          <dl class="tiles" aria-live="polite">
            {(
              [
                ["total", "dashboard.total", number(d.totalExhibitors)],
                ["foreign-share", "dashboard.foreignShare", percent(d.foreignShare)],
                ["booths-free", "dashboard.boothsFree", number(d.boothsFree)],
                ["booths-taken", "dashboard.boothsTaken", number(d.boothsTaken)],
              ] as const
            ).map(([id, key, value]) => (
              <div>
                <dt>{t(key)}</dt>
                <dd data-testid={id}>{value}</dd>
              </div>
            ))}
          </dl>
          <p class="note">{t("dashboard.live")}</p>
          <div class="charts">
            <BarChart title={t("dashboard.funnel")} bars={counts("status", d.exhibitorsByStatus)} />
            <BarChart
              title={t("dashboard.byCountry")}
              bars={d.exhibitorsByCountry.map((c) => ({
                label: countries.of(c.key) ?? c.key,
                value: c.count,
              }))}
            />
            <BarChart title={t("dashboard.byArea")} bars={counts("area", d.exhibitorsBySupplyChainArea)} />
            <Split
              title={t("dashboard.booths")}
              parts={[
                { label: t("dashboard.free"), value: d.boothsFree },
                { label: t("dashboard.taken"), value: d.boothsTaken },
              ]}
            />
            <Split
              title={t("dashboard.foreignShare")}
              parts={[
                { label: t("dashboard.foreign"), value: foreign },
                { label: t("dashboard.domestic"), value: d.totalExhibitors - foreign },
              ]}
            />
            <BarChart title={t("dashboard.byStage")} bars={counts("stage", d.interestsByStage)} />
            <ConversionTable rows={d.conversionByOutreachEvent} />
          </div>
        </>
      )}
    </section>
  );
}

function ConversionTable({ rows }: { rows: Dashboard["conversionByOutreachEvent"] }) {
  const { t, number, percent } = useI18n();
  return (
    <figure class="chart">
      <figcaption id="conversion">{t("dashboard.conversion")}</figcaption>
      <table aria-labelledby="conversion">
        <thead>
          <tr>
            <th scope="col">{t("dashboard.event")}</th>
            <th scope="col">{t("dashboard.interests")}</th>
            <th scope="col">{t("dashboard.converted")}</th>
            <th scope="col">%</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <th scope="row">{r.event.name}</th>
              <td>{number(r.interests)}</td>
              <td>{number(r.converted)}</td>
              <td>
                <meter min={0} max={1} value={r.interests ? r.converted / r.interests : 0} aria-hidden="true" />{" "}
                {r.interests ? percent(r.converted / r.interests) : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
