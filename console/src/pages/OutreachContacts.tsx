// /contacts: a searchable list of contacts, each with its organization and a consent
// badge per channel and purpose (express; implied, until its expiry; legitimate
// interest; withdrawn), 50 a page. Live through recordChanged(Contact).
import { useState } from "preact/hooks";
import { useLive, useQuery } from "../api";
import { CHANGED, isStaff, Personal, useCountry } from "../components/OutreachParts";
import { useI18n } from "../i18n";

interface Consent {
  channel: string;
  purpose: string;
  legalBasis: string | null;
  expiresAt: string | null;
  withdrawnAt: string | null;
}
interface Contact {
  id: string;
  name: string | null;
  title: string | null;
  email: string | null;
  phone: string | null;
  country: string;
  forgotten: boolean;
  organization: { name: string } | null;
  consents: Consent[];
}

const CONTACTS = `query Contacts($search: String, $after: String) {
  contacts(filter: { search: $search }, first: 50, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node {
    id name title email phone country forgotten organization { name }
    consents { channel purpose legalBasis expiresAt withdrawnAt } } } } }`;

export function OutreachContacts() {
  const { t, number } = useI18n();
  const [search, setSearch] = useState("");
  // the cursors of the pages before this one (none: the first page)
  const [before, setBefore] = useState<(string | null)[]>([]);
  const after = before.length ? before[before.length - 1] : null;
  const searchFor = (text: string) => {
    setSearch(text);
    setBefore([]);
  };
  const { data, error, refetch } = useQuery<{
    contacts: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: Contact }[];
    };
  }>(CONTACTS, { search: search.trim() || null, after });
  useLive(CHANGED, { kinds: ["Contact"] }, refetch);
  const contacts = data?.contacts;
  return (
    <section class="outreach">
      <h1>{t("outreach.contacts")}</h1>
      {/* the API searches by name, a personal field: not for a VIEWER */}
      {isStaff() && (
        <label>
          {t("outreach.search")}{" "}
          <input type="search" value={search} onInput={(e) => searchFor((e.target as HTMLInputElement).value)} />
        </label>
      )}
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!contacts ? (
        !error && <p>{t("app.loading")}</p>
      ) : (
        <>
          <p aria-live="polite" data-testid="shown">
            {t("outreach.shown", {
              from: number(contacts.edges.length && before.length * 50 + 1),
              to: number(before.length * 50 + contacts.edges.length),
              total: number(contacts.totalCount),
            })}
          </p>
          <table data-testid="contacts" aria-label={t("outreach.contacts")}>
            <thead>
              <tr>
                <th scope="col">{t("outreach.contact")}</th>
                <th scope="col">{t("outreach.organization")}</th>
                <th scope="col">{t("outreach.email")}</th>
                <th scope="col">{t("outreach.phone")}</th>
                <th scope="col">{t("outreach.consents")}</th>
              </tr>
            </thead>
            <tbody>
              {contacts.edges.map(({ node }) => (
                <ContactRow contact={node} />
              ))}
            </tbody>
          </table>
          <p class="actions">
            {before.length > 0 && (
              <button type="button" onClick={() => setBefore(before.slice(0, -1))}>
                {t("outreach.previous")}
              </button>
            )}
            {contacts.pageInfo.hasNextPage && (
              <button type="button" onClick={() => setBefore([...before, contacts.pageInfo.endCursor])}>
                {t("outreach.next")}
              </button>
            )}
          </p>
        </>
      )}
    </section>
  );
}

function ContactRow({ contact: c }: { contact: Contact }) {
  const { t } = useI18n();
  const country = useCountry();
  return (
    <tr data-id={c.id}>
      <th scope="row">
        {c.forgotten ? <span class="muted">{t("outreach.forgotten")}</span> : <Personal value={c.name} />}
        <br />
        <span class="muted">
          <Personal value={c.title} /> · {country(c.country)}
        </span>
      </th>
      <td>{c.organization?.name ?? "–"}</td>
      <td>
        <Personal value={c.email} />
      </td>
      <td>
        <Personal value={c.phone} />
      </td>
      <td>
        <ul class="badges">
          {c.consents.map((consent) => (
            <ConsentBadge consent={consent} />
          ))}
        </ul>
      </td>
    </tr>
  );
}

/** One consent: channel and purpose, and its basis (or its withdrawal), expiry named. */
function ConsentBadge({ consent: c }: { consent: Consent }) {
  const { t, date } = useI18n();
  const basis = c.withdrawnAt ? "WITHDRAWN" : (c.legalBasis ?? "NONE");
  const what = `${t(`outreach.channel.${c.channel}`)} · ${t(`outreach.purpose.${c.purpose}`)}`;
  const until = c.expiresAt && !c.withdrawnAt ? ` ${t("outreach.until", { date: date(c.expiresAt) })}` : "";
  return (
    <li class={`badge consent-${basis.toLowerCase()}`} data-basis={basis}>
      {what}: {t(`outreach.basis.${basis}`)}
      {until}
    </li>
  );
}
