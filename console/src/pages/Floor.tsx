// The floor plan of an edition (the latest by default): each hall drawn (FloorHall), a
// legend of states and areas, the chosen booth's panel (assign a free one: staff), and
// the waitlist beside. One floorPlan query, fetched again when floorPlanChanged reports
// a change of the edition's booths or waitlist.
import { useEffect, useState } from "preact/hooks";
import { useLive, useQuery } from "../api";
import { currentSession } from "../auth";
import { useI18n } from "../i18n";
import { EDITIONS, type Edition, latest } from "./Dashboard";
import { FloorBoothPanel } from "./FloorBoothPanel";
import { AreaPatterns, areaPattern, FloorHall, MARK, scaleFor } from "./FloorHall";
import type { BoothState, FloorBooth, Hall, WaitlistEntry } from "./FloorTypes";

interface Answer {
  floorPlan: {
    halls: { code: string; booths: { edges: { node: FloorBooth }[] } }[];
    waitlist: { edges: { node: WaitlistEntry }[] };
  };
}

const FLOOR = `query Floor($edition: String!) {
  floorPlan(edition: $edition) {
    halls { code booths(first: 100) { edges { node {
      code hall sizeSqm supplyChainArea state holder { id companyName }
    } } } }
    waitlist(first: 100) { edges { node {
      position previousEditions boothSizeSqm exhibitor { id companyName }
    } } }
  }
}`;
const CHANGED = `subscription FloorChanged($edition: String!) {
  floorPlanChanged(edition: $edition) { hall boothCode waitlistChanged }
}`;
const STATES: BoothState[] = ["FREE", "OFFERED", "TAKEN"];

export function Floor() {
  const { t, term } = useI18n();
  const role = currentSession()?.role;
  const staff = role === "ADMIN" || role === "ORGANIZER";
  const editions = useQuery<{ editions: Edition[] }>(EDITIONS, {});
  const [edition, setEdition] = useState<string | null>(null);
  useEffect(() => {
    if (edition === null && editions.data) setEdition(latest(editions.data.editions));
  }, [editions.data]);
  const variables = edition === null ? null : { edition };
  const plan = useQuery<Answer>(FLOOR, variables);
  useLive(CHANGED, variables, plan.refetch, 200);
  const [chosen, setChosen] = useState<string | null>(null); // "hall/code"
  const halls: Hall[] = (plan.data?.floorPlan.halls ?? []).map((h) => ({
    code: h.code,
    booths: h.booths.edges.map((e) => e.node),
  }));
  const booth = halls.flatMap((h) => h.booths).find((b) => `${b.hall}/${b.code}` === chosen);
  const areas = [...new Set(halls.flatMap((h) => h.booths.map((b) => b.supplyChainArea)))];
  const perSqm = scaleFor(halls);
  const error = editions.error ?? plan.error;
  return (
    <section class="floor">
      <h1>{t("floor.title")}</h1>
      <label>
        {t("floor.edition")}{" "}
        <select
          value={edition ?? ""}
          onChange={(e) => {
            setChosen(null);
            setEdition((e.target as HTMLSelectElement).value);
          }}
        >
          {editions.data?.editions.map((e) => (
            <option value={e.code}>{e.name}</option>
          ))}
        </select>
      </label>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!plan.data ? (
        !error && <p>{t("app.loading")}</p>
      ) : (
        <div class="floor-layout">
          <div class="floor-halls">
            <AreaPatterns />
            <ul class="legend" aria-label={t("floor.legend.states")}>
              {STATES.map((s) => (
                <li>
                  <svg class="floor-key" width={28} height={16} aria-hidden="true">
                    <rect class={`booth-key ${s}`} x={1} y={1} width={26} height={14} />
                  </svg>
                  {MARK[s]} {t(`floor.state.${s}`)}
                </li>
              ))}
            </ul>
            <ul class="legend" aria-label={t("floor.legend.areas")}>
              {areas.map((a) => (
                <li>
                  <svg class="floor-key" width={28} height={16} aria-hidden="true">
                    <rect x={1} y={1} width={26} height={14} fill={areaPattern(a)} stroke="#222" />
                  </svg>
                  {term("area", a)}
                </li>
              ))}
            </ul>
            <p class="note">{t(staff ? "floor.hint.staff" : "floor.hint.other")}</p>
            {halls.length === 0 && <p>{t("floor.noHalls")}</p>}
            {halls.map((hall) => (
              <FloorHall
                hall={hall}
                perSqm={perSqm}
                selected={chosen}
                onChoose={(b) => setChosen(`${b.hall}/${b.code}`)}
              />
            ))}
          </div>
          <aside class="floor-side">
            {booth && edition && (
              <FloorBoothPanel
                key={chosen}
                edition={edition}
                booth={booth}
                staff={staff}
                onAssigned={plan.refetch}
              />
            )}
            <Waitlist entries={plan.data.floorPlan.waitlist.edges.map((e) => e.node)} />
          </aside>
        </div>
      )}
    </section>
  );
}

function Waitlist({ entries }: { entries: WaitlistEntry[] }) {
  const { t, number } = useI18n();
  return (
    <section aria-labelledby="floor-waitlist">
      <h2 id="floor-waitlist">{t("floor.waitlist.title")}</h2>
      {entries.length === 0 ? (
        <p class="note">{t("floor.waitlist.empty")}</p>
      ) : (
        <table class="floor-waitlist">
          <thead>
            <tr>
              <th scope="col">{t("floor.waitlist.position")}</th>
              <th scope="col">{t("floor.waitlist.company")}</th>
              <th scope="col">{t("floor.waitlist.previous")}</th>
              <th scope="col">{t("floor.waitlist.size")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{number(e.position)}</td>
                <th scope="row">{e.exhibitor?.companyName ?? t("common.hidden")}</th>
                <td>{number(e.previousEditions)}</td>
                <td>{e.boothSizeSqm === null ? "–" : t("floor.sqm", { size: number(e.boothSizeSqm) })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
