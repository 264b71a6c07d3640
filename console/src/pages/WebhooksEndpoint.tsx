// One webhook endpoint: its settings, the actions the API has for it (disable or
// enable, rotate the secret — the new one shown once —, delete), each sent with the
// version shown (a CONFLICT says someone else changed it, and the page re-fetches), and
// its latest deliveries, each of which can be redelivered.
import { useState } from "preact/hooks";
import { gql, QueryFailed } from "../api";
import { useI18n } from "../i18n";

export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
interface Delivery {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  updatedAt: string;
}
export interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  status: "ACTIVE" | "DISABLED" | "DELETED";
  registeredAt: string;
  secretRotatedAt: string | null;
  version: number;
  deliveries: { totalCount: number; edges: { node: Delivery }[] };
}

type Action = "disableWebhookEndpoint" | "enableWebhookEndpoint" | "rotateWebhookSecret" | "deleteWebhookEndpoint";
const change = (action: Action) => `mutation Change($input: WebhookEndpointInput!) {
  ${action}(input: $input) { secret userErrors { field message code } }
}`;
const REDELIVER = `mutation Redeliver($input: RedeliverWebhookDeliveryInput!) {
  redeliverWebhookDelivery(input: $input) { userErrors { field message code } }
}`;
type Answer = Record<string, { secret?: string | null; userErrors: UserError[] }>;

/** Send a mutation; its userErrors, or the request's failure as one. */
async function send(query: string, input: Record<string, unknown>): Promise<{ secret: string | null; errors: UserError[] }> {
  try {
    const answer = Object.values(await gql<Answer>(query, { input }))[0];
    return { secret: answer.secret ?? null, errors: answer.userErrors };
  } catch (error) {
    const message = error instanceof QueryFailed ? error.message : String(error);
    return { secret: null, errors: [{ field: null, message, code: "ERROR" }] };
  }
}

export function EndpointCard({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<UserError[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: Action) => {
    setBusy(true);
    const outcome = await send(change(action), { endpointId: endpoint.id, expectedVersion: endpoint.version });
    setBusy(false);
    setDeleting(false);
    setErrors(outcome.errors);
    setSecret(outcome.secret);
    onChanged(); // after a CONFLICT too: the current state, which the message explains
  };
  const titleId = `endpoint-${endpoint.id}`;
  const live = endpoint.status !== "DELETED";
  return (
    <article class="endpoint" aria-labelledby={titleId} data-testid="endpoint" data-url={endpoint.url}>
      <h3 id={titleId}>
        <code>{endpoint.url}</code>{" "}
        <span class={`badge ${endpoint.status.toLowerCase()}`} data-testid="endpoint-status">
          {t(`webhooks.status.${endpoint.status}`)}
        </span>
      </h3>
      <Settings endpoint={endpoint} />
      {live && (
        <div class="actions">
          {endpoint.status === "ACTIVE" ? (
            <button type="button" disabled={busy} onClick={() => run("disableWebhookEndpoint")}>
              {t("webhooks.disable")}
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => run("enableWebhookEndpoint")}>
              {t("webhooks.enable")}
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => run("rotateWebhookSecret")}>
            {t("webhooks.rotate")}
          </button>
          {deleting ? (
            <>
              <button type="button" class="danger" disabled={busy} onClick={() => run("deleteWebhookEndpoint")}>
                {t("webhooks.confirmDelete")}
              </button>
              <button type="button" onClick={() => setDeleting(false)}>
                {t("webhooks.cancel")}
              </button>
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => setDeleting(true)}>
              {t("webhooks.delete")}
            </button>
          )}
        </div>
      )}
      {errors.some((e) => e.code === "CONFLICT") && <p class="warning">{t("webhooks.conflict")}</p>}
      <Errors errors={errors} />
      {secret && (
        <div class="secret" role="status" data-testid="rotated-secret">
          <p>{t("webhooks.secretOnce")}</p>
          <code>{secret}</code>
        </div>
      )}
      <Deliveries endpoint={endpoint} onChanged={onChanged} />
    </article>
  );
}

function Settings({ endpoint }: { endpoint: Endpoint }) {
  const { t, date } = useI18n();
  return (
    <dl class="settings">
      <dt>{t("webhooks.eventTypes")}</dt>
      <dd>{endpoint.eventTypes.join(", ")}</dd>
      <dt>{t("webhooks.registeredAt")}</dt>
      <dd>{date(endpoint.registeredAt)}</dd>
      <dt>{t("webhooks.secretRotatedAt")}</dt>
      <dd data-testid="rotated-at">
        {endpoint.secretRotatedAt ? date(endpoint.secretRotatedAt) : t("webhooks.never")}
      </dd>
    </dl>
  );
}

function Deliveries({ endpoint, onChanged }: { endpoint: Endpoint; onChanged: () => void }) {
  const { t, number } = useI18n();
  const rows = endpoint.deliveries.edges.map((e) => e.node);
  const captionId = `deliveries-${endpoint.id}`;
  return (
    <>
      <h4 id={captionId}>
        {t("webhooks.deliveries", { count: number(endpoint.deliveries.totalCount) })}
      </h4>
      {rows.length > 0 && (
        <table aria-labelledby={captionId}>
          <thead>
            <tr>
              <th scope="col">{t("webhooks.event")}</th>
              <th scope="col">{t("webhooks.deliveryStatus")}</th>
              <th scope="col">{t("webhooks.attempts")}</th>
              <th scope="col">{t("webhooks.responseCode")}</th>
              <th scope="col">{t("webhooks.lastError")}</th>
              <th scope="col">{t("webhooks.nextAttempt")}</th>
              <th scope="col">
                <span class="visually-hidden">{t("webhooks.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <DeliveryRow delivery={d} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function DeliveryRow({ delivery: d, onChanged }: { delivery: Delivery; onChanged: () => void }) {
  const { t, language } = useI18n();
  const [errors, setErrors] = useState<UserError[]>([]);
  const when = new Intl.DateTimeFormat(language, { dateStyle: "short", timeStyle: "medium" });
  const redeliver = async () => {
    setErrors((await send(REDELIVER, { deliveryId: d.id })).errors);
    onChanged();
  };
  return (
    <tr data-testid="delivery">
      <td>{d.eventType}</td>
      <td>
        <span class={`badge ${d.status.toLowerCase()}`}>{t(`webhooks.delivery.${d.status}`)}</span>
      </td>
      <td data-testid="attempts">{d.attempts}</td>
      <td>{d.lastStatus ?? "–"}</td>
      <td data-testid="last-error">{d.lastError ?? "–"}</td>
      <td>{d.nextAttemptAt ? when.format(new Date(d.nextAttemptAt)) : "–"}</td>
      <td>
        <button type="button" onClick={redeliver}>
          {t("webhooks.redeliver")}
        </button>
        <Errors errors={errors} />
      </td>
    </tr>
  );
}

export function Errors({ errors, id }: { errors: UserError[]; id?: string }) {
  if (errors.length === 0) return null;
  return (
    <ul class="warning errors" id={id} role="alert">
      {errors.map((e) => (
        <li data-code={e.code}>{e.message}</li>
      ))}
    </ul>
  );
}
