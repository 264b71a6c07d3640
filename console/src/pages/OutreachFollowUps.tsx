// /follow-ups: in the API's order (soonest due first, the overdue before the rest), with
// the owner and what each is about; staff mark one done (its outcome) or reschedule it.
// Live through recordChanged(FollowUp).
import { useState } from "preact/hooks";
import { useLive } from "../api";
import {
  CHANGED,
  type Connection,
  FieldErrors,
  isStaff,
  OtherErrors,
  Personal,
  useInstant,
  useMutation,
  useQueryAll,
} from "../components/OutreachParts";
import { useI18n } from "../i18n";

interface Subject {
  __typename: string;
  id: string;
  name?: string; // an organization's
  contactName?: string | null;
  kind?: string;
  stage?: string;
  contact?: { name: string | null } | null;
  organization?: { name: string } | null;
}
interface FollowUp {
  id: string;
  owner: string | null;
  dueAt: string;
  status: string;
  overdue: boolean;
  note: string | null;
  outcome: string | null;
  version: number;
  subject: Subject | null;
}

const FOLLOW_UPS = `query FollowUps($status: [FollowUpStatus!], $after: String) {
  followUps(filter: { status: $status }, first: 100, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node {
    id owner dueAt status overdue note outcome version
    subject { __typename id
      ... on Interest { kind stage contact { name } organization { name } }
      ... on Contact { contactName: name organization { name } }
      ... on Organization { name } } } } } }`;
const COMPLETE = `mutation Complete($input: CompleteFollowUpInput!) {
  completeFollowUp(input: $input) { userErrors { field message code } } }`;
const RESCHEDULE = `mutation Reschedule($input: RescheduleFollowUpInput!) {
  rescheduleFollowUp(input: $input) { userErrors { field message code } } }`;

export function OutreachFollowUps() {
  const { t, number } = useI18n();
  const [open, setOpen] = useState(true);
  const { data, error, refetch } = useQueryAll<{
    followUps: Connection & { totalCount: number; edges: { node: FollowUp }[] };
  }>(FOLLOW_UPS, { status: open ? ["SCHEDULED"] : null }, (answer) => answer.followUps);
  useLive(CHANGED, { kinds: ["FollowUp"] }, refetch);
  const list = data?.followUps;
  return (
    <section class="outreach">
      <h1>{t("outreach.followUps")}</h1>
      <label>
        <input type="checkbox" checked={open} onChange={(e) => setOpen((e.target as HTMLInputElement).checked)} />{" "}
        {t("outreach.openOnly")}
      </label>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!list ? (
        !error && <p>{t("app.loading")}</p>
      ) : (
        <>
          <p aria-live="polite">{t("outreach.count", { count: number(list.totalCount) })}</p>
          <ol class="follow-ups" data-testid="follow-ups">
            {list.edges.map(({ node }) => (
              <FollowUpItem followUp={node} refresh={refetch} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function About({ subject: s }: { subject: Subject | null }) {
  const { t, term } = useI18n();
  if (!s) return <>–</>;
  const organization = s.organization?.name;
  if (s.__typename === "Interest")
    return (
      <>
        {t("outreach.aboutInterest", { kind: t(`outreach.interestKind.${s.kind ?? ""}`), stage: term("stage", s.stage ?? "") })}
        {": "}
        <Personal value={s.contact?.name} />
        {organization && ` · ${organization}`}
      </>
    );
  if (s.__typename === "Contact")
    return (
      <>
        {t("outreach.contact")}: <Personal value={s.contactName} />
        {organization && ` · ${organization}`}
      </>
    );
  return <>{t("outreach.organization")}: {s.name}</>;
}

function FollowUpItem({ followUp: f, refresh }: { followUp: FollowUp; refresh: () => void }) {
  const { t } = useI18n();
  const instant = useInstant();
  return (
    <li class={f.overdue ? "follow-up overdue" : "follow-up"} data-id={f.id} data-overdue={String(f.overdue)}>
      <p>
        {f.overdue && <span class="badge overdue-badge">{t("outreach.overdue")}</span>}{" "}
        <strong>
          {t("outreach.due")} <time dateTime={f.dueAt}>{instant(f.dueAt)}</time>
        </strong>{" "}
        · {t("outreach.owner")}: <Personal value={f.owner} />
        {f.status !== "SCHEDULED" && (
          <>
            {" "}
            · <span class="badge">{t(`outreach.followUp.${f.status}`)}</span>
          </>
        )}
      </p>
      <p>
        <About subject={f.subject} />
      </p>
      <p class="muted">
        <Personal value={f.note} />
        {f.outcome && ` → ${f.outcome}`}
      </p>
      {f.status === "SCHEDULED" && isStaff() && <FollowUpActions followUp={f} refresh={refresh} />}
    </li>
  );
}

function FollowUpActions({ followUp: f, refresh }: { followUp: FollowUp; refresh: () => void }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState("");
  const [dueAt, setDueAt] = useState("");
  const done = useMutation(COMPLETE, refresh);
  const moved = useMutation(RESCHEDULE, refresh);
  const complete = (e: SubmitEvent) => {
    e.preventDefault();
    void done.send({ followUpId: f.id, outcome, expectedVersion: f.version });
  };
  const reschedule = (e: SubmitEvent) => {
    e.preventDefault();
    const due = dueAt ? new Date(dueAt).toISOString() : "";
    void moved.send({ followUpId: f.id, dueAt: due, expectedVersion: f.version });
  };
  const outcomeId = `outcome-${f.id}`;
  const dueId = `due-${f.id}`;
  return (
    <div class="actions">
      <form onSubmit={complete}>
        <label for={outcomeId}>{t("outreach.outcome")}</label>{" "}
        <input id={outcomeId} required value={outcome} onInput={(e) => setOutcome((e.target as HTMLInputElement).value)} />{" "}
        <button type="submit" disabled={done.busy}>
          {t("outreach.markDone")}
        </button>{" "}
        <FieldErrors errors={done.errors} field="outcome" />
        <OtherErrors errors={done.errors} shown={["outcome"]} />
      </form>
      <form onSubmit={reschedule}>
        <label for={dueId}>{t("outreach.newDue")}</label>{" "}
        <input id={dueId} type="datetime-local" required value={dueAt} onInput={(e) => setDueAt((e.target as HTMLInputElement).value)} />{" "}
        <button type="submit" disabled={moved.busy}>
          {t("outreach.reschedule")}
        </button>{" "}
        <FieldErrors errors={moved.errors} field="dueAt" />
        <OtherErrors errors={moved.errors} shown={["dueAt"]} />
      </form>
    </div>
  );
}
