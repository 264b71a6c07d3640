// An EXHIBITOR's own applications ("My applications"): the exhibitors of every
// edition, which the API narrows to those its token names (the `applications` claim).
import { useQuery } from "../api";
import { useI18n } from "../i18n";
import { ExhibitorCard, type Card } from "./ExhibitorCard";
import { CARD_FIELDS } from "./ExhibitorsBoard";

const EDITIONS = "query MineEditions { editions { code name } }";

/** One request: the exhibitors of each edition, aliased e0, e1… */
function mine(codes: string[]): string {
  const variables = codes.map((_, i) => `$e${i}: String!`).join(", ");
  const fields = codes.map(
    (_, i) => `e${i}: exhibitors(edition: $e${i}, first: 100) { edges { node { ${CARD_FIELDS} } } }`,
  );
  return `query Mine(${variables}) { ${fields.join(" ")} }`;
}

export function MyApplications() {
  const { t, term } = useI18n();
  const editions = useQuery<{ editions: { code: string; name: string }[] }>(EDITIONS, {});
  const codes = editions.data?.editions.map((e) => e.code) ?? [];
  const variables = editions.data ? Object.fromEntries(codes.map((c, i) => [`e${i}`, c])) : null;
  const found = useQuery<Record<string, { edges: { node: Card }[] }>>(mine(codes), codes.length ? variables : null);
  const error = editions.error ?? found.error;
  const cards = codes.flatMap((_, i) => found.data?.[`e${i}`]?.edges.map((e) => e.node) ?? []);
  return (
    <section class="mine">
      <h1>{t("exhibitors.mine")}</h1>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!found.data ? (
        !error && <p>{t("app.loading")}</p>
      ) : cards.length === 0 ? (
        <p>{t("exhibitors.none")}</p>
      ) : (
        <ul class="cards">
          {cards.map((card) => (
            <li key={card.id}>
              <ExhibitorCard card={card} />
              <span class="status-badge">{term("status", card.status)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
