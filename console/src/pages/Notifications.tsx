// The notifications log: what was sent, suppressed or failed and why, newest first (the
// notifications query), filtered by status and rule, counted per status, each sent email
// linked to the message as the mail viewer (Mailpit) shows it. Live: recordChanged of
// kind Notification re-fetches. A VIEWER's recipients and reasons come back null: shown
// as hidden.
import { useState } from "preact/hooks";
import { useLive, useQuery } from "../api";
import { currentSession } from "../auth";
import { useI18n } from "../i18n";

const STATUSES = ["SENT", "SUPPRESSED", "FAILED", "REQUESTED"] as const;
type Status = (typeof STATUSES)[number];
// The notifications service's rules (services/notifications rules.py and its reminders).
const RULES = [
  "application-received",
  "application-approved",
  "application-rejected",
  "application-waitlisted",
  "booth-assigned",
  "payment-due",
  "invitation",
  "rsvp-confirmation",
  "new-interest",
  "follow-up-overdue",
  "event-reminder-7d",
  "event-reminder-1d",
];
const PAGE = 50;

interface Notification {
  id: string;
  channel: string;
  rule: string;
  status: Status;
  reason: string | null;
  recipient: string | null;
  createdAt: string;
  mailViewerUrl: string | null;
}
type Counted = { totalCount: number };
interface Answer extends Record<Status, Counted> {
  notifications: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Notification }[];
  };
}

const counted = (s: Status) =>
  `${s}: notifications(filter: {status: [${s}], rule: $rule}, first: 1) { totalCount }`;
const LOG = `query Log($filter: NotificationFilter!, $rule: String, $after: String) {
  ${STATUSES.map(counted).join("\n  ")}
  notifications(filter: $filter, first: ${PAGE}, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id channel rule status reason recipient createdAt mailViewerUrl } }
  }
}`;
const RECORDED = 'subscription Recorded { recordChanged(kinds: ["Notification"]) { id } }';

export function Notifications() {
  const { t, number } = useI18n();
  const [status, setStatus] = useState<Status | "">("");
  const [rule, setRule] = useState("");
  const [after, setAfter] = useState<string | null>(null);
  const filter = { status: status ? [status] : null, rule: rule || null };
  const log = useQuery<Answer>(LOG, { filter, rule: rule || null, after });
  useLive(RECORDED, {}, log.refetch);
  const choose = (change: () => void) => {
    change();
    setAfter(null);
  };
  const page = log.data?.notifications;
  return (
    <section class="notifications">
      <h1 id="notifications-title">{t("notifications.title")}</h1>
      <dl class="tiles" aria-live="polite">
        {STATUSES.map((s) => (
          <div>
            <dt>{t(`notifications.status.${s}`)}</dt>
            <dd data-testid={`count-${s}`}>{log.data ? number(log.data[s].totalCount) : "…"}</dd>
          </div>
        ))}
      </dl>
      <div class="filters">
        <div>
          <label for="filter-status">{t("notifications.filterStatus")}</label>{" "}
          <select
            id="filter-status"
            value={status}
            onChange={(e) => choose(() => setStatus((e.target as HTMLSelectElement).value as Status))}
          >
            <option value="">{t("notifications.all")}</option>
            {STATUSES.map((s) => (
              <option value={s}>{t(`notifications.status.${s}`)}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="filter-rule">{t("notifications.filterRule")}</label>{" "}
          <select
            id="filter-rule"
            value={rule}
            onChange={(e) => choose(() => setRule((e.target as HTMLSelectElement).value))}
          >
            <option value="">{t("notifications.all")}</option>
            {RULES.map((r) => (
              <option value={r}>{ruleName(t, r)}</option>
            ))}
          </select>
        </div>
        <span class="note">{t("notifications.live")}</span>
      </div>
      {log.error && <p role="alert" class="warning">{t("app.error", { message: log.error.message })}</p>}
      {!page ? (
        !log.error && <p>{t("app.loading")}</p>
      ) : (
        <>
          <p data-testid="shown">
            {t("notifications.shown", { shown: number(page.edges.length), total: number(page.totalCount) })}
          </p>
          <LogTable rows={page.edges.map((e) => e.node)} />
          <div class="pager">
            {after !== null && (
              <button type="button" onClick={() => setAfter(null)}>
                {t("notifications.newest")}
              </button>
            )}
            {page.pageInfo.hasNextPage && (
              <button type="button" onClick={() => setAfter(page.pageInfo.endCursor)}>
                {t("notifications.older")}
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function ruleName(t: (key: string) => string, rule: string): string {
  const key = `notifications.rule.${rule}`;
  const name = t(key);
  return name === key ? rule : name;
}

function LogTable({ rows }: { rows: Notification[] }) {
  const { t, language } = useI18n();
  const hidden = currentSession()?.role === "VIEWER";
  const when = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
  // null is "hidden" for a VIEWER (the API masks it), else there is nothing to show
  const personal = (value: string | null) => value ?? (hidden ? t("common.hidden") : "–");
  return (
    <table class="log" aria-labelledby="notifications-title">
      <thead>
        <tr>
          <th scope="col">{t("notifications.time")}</th>
          <th scope="col">{t("notifications.rule")}</th>
          <th scope="col">{t("notifications.recipient")}</th>
          <th scope="col">{t("notifications.status")}</th>
          <th scope="col">{t("notifications.reason")}</th>
          <th scope="col">{t("notifications.message")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((n) => (
          <tr data-testid="notification" data-id={n.id}>
            <td>{when.format(new Date(n.createdAt))}</td>
            <td>
              {ruleName(t, n.rule)} <span class="note">({t(`notifications.channel.${n.channel}`)})</span>
            </td>
            <td data-testid="recipient">{personal(n.recipient)}</td>
            <td data-testid="status">
              <span class={`badge ${n.status.toLowerCase()}`}>{t(`notifications.status.${n.status}`)}</span>
            </td>
            <td data-testid="reason">{n.status === "SUPPRESSED" || n.status === "FAILED" ? personal(n.reason) : ""}</td>
            <td>
              {n.mailViewerUrl ? (
                <a href={n.mailViewerUrl} target="_blank" rel="noopener noreferrer">
                  {t("notifications.viewEmail")}
                </a>
              ) : (
                hidden && n.channel === "EMAIL" && n.status === "SENT" && t("common.hidden")
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
