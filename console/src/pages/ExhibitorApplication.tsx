// An application's page: the record (profile, contacts, contract, payments, booth), its
// timeline, and the changes it allows now (ExhibitorActions). Personal fields the API
// nulls for a VIEWER read "hidden". Live: re-fetched when its timeline grows.
import { useState } from "preact/hooks";
import { useLive, useQuery } from "../api";
import { currentSession } from "../auth";
import { useI18n } from "../i18n";
import { Actions } from "./ExhibitorActions";

interface Money {
  amount: string;
  currency: string;
}
interface Exhibitor {
  id: string;
  edition: string;
  companyName: string;
  country: string;
  status: string;
  supplyChainAreas: string[];
  productCategories: string[];
  version: number;
  submittedAt: string;
  updatedAt: string;
  allowedActions: string[];
  address: { streetLines: string[] | null; city: string | null; postalCode: string | null; region: string | null };
  contacts: { name: string | null; email: string | null; phone: string | null; language: string | null }[];
  booth: { code: string; hall: string; sizeSqm: number } | null;
  contractAmount: Money | null;
  paidAmount: Money | null;
  timeline: { edges: { node: Entry }[] };
}
interface Entry {
  id: string;
  type: string;
  occurredAt: string;
  actor: string | null;
  summary: string;
}
interface Answer {
  exhibitor: Exhibitor | null;
  editions: { code: string; currency: string; supplyChainAreas: string[] }[];
}

const APPLICATION = `query Application($id: ID!) {
  exhibitor(id: $id) {
    id edition companyName country status supplyChainAreas productCategories version
    submittedAt updatedAt allowedActions
    address { streetLines city postalCode region }
    contacts { name email phone language }
    booth { code hall sizeSqm }
    contractAmount { amount currency } paidAmount { amount currency }
    timeline(first: 100) { edges { node { id type occurredAt actor summary } } }
  }
  editions { code currency supplyChainAreas }
}`;
const TIMELINE = "subscription ApplicationTimeline($id: ID!) { timeline(subjectId: $id) { id } }";

export function Application({ params }: { params: Record<string, string> }) {
  const { t, term } = useI18n();
  const { data, error, refetch } = useQuery<Answer>(APPLICATION, { id: params.id });
  useLive(TIMELINE, { id: params.id }, refetch, 200);
  const [conflict, setConflict] = useState(false);
  const x = data?.exhibitor;
  if (!x) {
    if (error) return <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>;
    return <p>{data ? t("exhibitors.notFound") : t("app.loading")}</p>;
  }
  const edition = data.editions.find((e) => e.code === x.edition);
  const current = {
    ...x,
    currency: x.contractAmount?.currency ?? edition?.currency ?? "",
    areas: edition?.supplyChainAreas ?? x.supplyChainAreas,
  };
  return (
    <article class="application">
      <h1>
        {x.companyName} <span class="status-badge" data-testid="status">{term("status", x.status)}</span>
      </h1>
      {conflict && (
        <p role="alert" class="warning" data-testid="conflict">
          {t("exhibitors.conflict")}
        </p>
      )}
      <section aria-labelledby="actions">
        <h2 id="actions">{t("exhibitors.actions")}</h2>
        <Actions
          actions={x.allowedActions}
          current={current}
          onDone={() => {
            setConflict(false);
            refetch();
          }}
          onConflict={() => {
            setConflict(true);
            refetch();
          }}
        />
      </section>
      <div class="record">
        <Profile x={x} />
        <Contacts contacts={x.contacts} />
        <Contract x={x} />
      </div>
      <Timeline entries={x.timeline.edges.map((e) => e.node)} />
    </article>
  );
}

/** A personal field: its value, or "hidden" when the API withheld it (a VIEWER). */
function usePersonal(): (value: string | null | undefined) => string {
  const { t } = useI18n();
  const viewer = currentSession()?.role === "VIEWER";
  return (value) => (value === null || value === undefined ? (viewer ? t("common.hidden") : "—") : value || "—");
}

function Profile({ x }: { x: Exhibitor }) {
  const { t, term, date, language } = useI18n();
  const personal = usePersonal();
  const region = new Intl.DisplayNames([language], { type: "region" }).of(x.country) ?? x.country;
  const place = [x.address.city, x.address.region].filter(Boolean).join(", ");
  const rows: [string, string][] = [
    [t("exhibitors.country"), region],
    [t("exhibitors.street"), personal(x.address.streetLines?.join(", "))],
    [t("exhibitors.postalCode"), personal(x.address.postalCode)],
    [t("exhibitors.city"), place || "—"],
    [t("exhibitors.area"), x.supplyChainAreas.map((a) => term("area", a)).join(", ")],
    [t("exhibitors.products"), x.productCategories.join(", ") || "—"],
    [t("exhibitors.submittedAt"), date(x.submittedAt)],
    [t("exhibitors.version"), String(x.version)],
  ];
  return (
    <section aria-labelledby="profile">
      <h2 id="profile">{t("exhibitors.profile")}</h2>
      <dl class="facts">
        {rows.map(([label, value]) => (
          <div>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Contacts({ contacts }: { contacts: Exhibitor["contacts"] }) {
  const { t } = useI18n();
  const personal = usePersonal();
  return (
    <section aria-labelledby="contacts">
      <h2 id="contacts">{t("exhibitors.contacts")}</h2>
      {contacts.length === 0 ? (
        <p class="note">{t("exhibitors.noContacts")}</p>
      ) : (
        <table aria-labelledby="contacts">
          <thead>
            <tr>
              <th scope="col">{t("exhibitors.field.name")}</th>
              <th scope="col">{t("exhibitors.field.email")}</th>
              <th scope="col">{t("exhibitors.field.phone")}</th>
              <th scope="col">{t("exhibitors.language")}</th>
            </tr>
          </thead>
          <tbody>
            {contacts.map((c) => (
              <tr>
                <td>{personal(c.name)}</td>
                <td>{personal(c.email)}</td>
                <td>{personal(c.phone)}</td>
                <td>{c.language ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Contract({ x }: { x: Exhibitor }) {
  const { t, language } = useI18n();
  const money = (m: Money | null) =>
    m ? new Intl.NumberFormat(language, { style: "currency", currency: m.currency }).format(Number(m.amount)) : "—";
  const rows: [string, string, string][] = [
    ["contract", t("exhibitors.contract"), money(x.contractAmount)],
    ["paid", t("exhibitors.paid"), money(x.paidAmount)],
    ["booth", t("exhibitors.booth"), x.booth ? t("exhibitors.boothIs", { ...x.booth }) : "—"],
  ];
  return (
    <section aria-labelledby="contract">
      <h2 id="contract">{t("exhibitors.contractAndBooth")}</h2>
      <dl class="facts">
        {rows.map(([id, label, value]) => (
          <div>
            <dt>{label}</dt>
            <dd data-testid={id}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Timeline({ entries }: { entries: Entry[] }) {
  const { t, language } = useI18n();
  const personal = usePersonal();
  const eventName = (type: string) => {
    const name = t(`exhibitors.event.${type}`);
    return name.startsWith("exhibitors.event.") ? type : name; // a type we have no word for
  };
  const when = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">{t("exhibitors.timeline")}</h2>
      <ol class="timeline" data-testid="timeline">
        {entries.map((e) => (
          <li key={e.id}>
            <time dateTime={e.occurredAt}>{when.format(new Date(e.occurredAt))}</time>{" "}
            <strong>{eventName(e.type)}</strong> {e.summary}{" "}
            <span class="note">{t("exhibitors.by", { actor: personal(e.actor) })}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
