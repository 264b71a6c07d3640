// The pipeline board: an edition's applications in a column per status (the funnel's
// order), each column its own page of the exhibitors query (its totalCount, "more"
// for the next page), narrowed by the name search and the country and area filters;
// every column re-fetches when exhibitorChanged reports a change in the edition.
import { useEffect, useState } from "preact/hooks";
import { gql, useLive, useQuery } from "../api";
import { useI18n } from "../i18n";
import { ExhibitorCard, type Card } from "./ExhibitorCard";
import { latest } from "./Dashboard";

export const FUNNEL = [
  "SUBMITTED",
  "UNDER_REVIEW",
  "APPROVED",
  "WAITLISTED",
  "CONTRACTED",
  "CONFIRMED",
  "REJECTED",
  "WITHDRAWN",
  "CANCELLED",
] as const;

interface Edition {
  code: string;
  name: string;
  startsOn: string;
  supplyChainAreas: string[];
}
interface Filter {
  search: string | null;
  country: string[] | null;
  supplyChainArea: string[] | null;
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: Card }[];
}

const EDITIONS = "query BoardEditions { editions { code name startsOn supplyChainAreas } }";
const COUNTRIES = `query BoardCountries($edition: String!) {
  editionDashboard(edition: $edition) { exhibitorsByCountry { key } }
}`;
export const CARD_FIELDS = "id companyName country status supplyChainAreas";
const COLUMN = `query BoardColumn($edition: String!, $filter: ExhibitorFilter!, $after: String) {
  exhibitors(edition: $edition, filter: $filter, first: 20, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${CARD_FIELDS} } }
  }
}`;
const CHANGED = "subscription BoardChanged($edition: String!) { exhibitorChanged(edition: $edition) { id } }";

export function Board() {
  const { t, term, language } = useI18n();
  const editions = useQuery<{ editions: Edition[] }>(EDITIONS, {});
  const [edition, setEdition] = useState<string | null>(null);
  useEffect(() => {
    if (edition === null && editions.data) setEdition(latest(editions.data.editions));
  }, [editions.data]);
  const countries = useQuery<{ editionDashboard: { exhibitorsByCountry: { key: string }[] } }>(
    COUNTRIES,
    edition === null ? null : { edition },
  );
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  useEffect(() => {
    const timer = window.setTimeout(() => setSearch(text.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [text]);
  const [country, setCountry] = useState("");
  const [area, setArea] = useState("");
  const [round, setRound] = useState(0);
  useLive(CHANGED, edition === null ? null : { edition }, () => setRound((r) => r + 1));
  const filter: Filter = {
    search: search || null,
    country: country ? [country] : null,
    supplyChainArea: area ? [area] : null,
  };
  const regions = new Intl.DisplayNames([language], { type: "region" });
  const areas = editions.data?.editions.find((e) => e.code === edition)?.supplyChainAreas ?? [];
  const error = editions.error ?? countries.error;
  return (
    <section class="board">
      <h1>{t("exhibitors.title")}</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("exhibitors.edition")}{" "}
          <select value={edition ?? ""} onChange={(e) => setEdition((e.target as HTMLSelectElement).value)}>
            {editions.data?.editions.map((e) => <option value={e.code}>{e.name}</option>)}
          </select>
        </label>
        <label>
          {t("exhibitors.search")}{" "}
          <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t("exhibitors.country")}{" "}
          <select value={country} onChange={(e) => setCountry((e.target as HTMLSelectElement).value)}>
            <option value="">{t("exhibitors.any")}</option>
            {countries.data?.editionDashboard.exhibitorsByCountry.map(({ key }) => (
              <option value={key}>{regions.of(key) ?? key}</option>
            ))}
          </select>
        </label>
        <label>
          {t("exhibitors.area")}{" "}
          <select value={area} onChange={(e) => setArea((e.target as HTMLSelectElement).value)}>
            <option value="">{t("exhibitors.any")}</option>
            {areas.map((a) => <option value={a}>{term("area", a)}</option>)}
          </select>
        </label>
      </form>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      <p class="note">{t("dashboard.live")}</p>
      {edition && (
        <div class="columns">
          {FUNNEL.map((status) => (
            <Column edition={edition} status={status} filter={filter} round={round} />
          ))}
        </div>
      )}
    </section>
  );
}

interface ColumnProps {
  edition: string;
  status: string;
  filter: Filter;
  round: number;
}

function Column({ edition, status, filter, round }: ColumnProps) {
  const { t, term, number } = useI18n();
  const variables = { edition, filter: { ...filter, status: [status] } };
  const first = useQuery<{ exhibitors: Page }>(COLUMN, variables);
  const [more, setMore] = useState<Page[]>([]);
  const key = JSON.stringify(variables);
  useEffect(() => setMore([]), [key]);
  useEffect(() => {
    if (round === 0) return;
    setMore([]);
    first.refetch();
  }, [round]);
  const pages = first.data ? [first.data.exhibitors, ...more] : [];
  const last = pages[pages.length - 1];
  const next = () =>
    void gql<{ exhibitors: Page }>(COLUMN, { ...variables, after: last.pageInfo.endCursor }).then(
      (page) => setMore((m) => [...m, page.exhibitors]),
    );
  const heading = `column-${status}`;
  return (
    <section class="column" aria-labelledby={heading} data-status={status}>
      <h2 id={heading}>
        {term("status", status)}{" "}
        <span class="total" data-testid={`total-${status}`}>
          {first.data ? number(first.data.exhibitors.totalCount) : "…"}
        </span>
      </h2>
      {first.error && <p role="alert" class="warning">{t("app.error", { message: first.error.message })}</p>}
      <ul>
        {pages.flatMap((p) => p.edges).map(({ node }) => (
          <li key={node.id}>
            <ExhibitorCard card={node} />
          </li>
        ))}
      </ul>
      {last?.pageInfo.hasNextPage && (
        <button type="button" onClick={next}>
          {t("exhibitors.more")}
        </button>
      )}
    </section>
  );
}
