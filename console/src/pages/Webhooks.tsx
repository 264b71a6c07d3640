// Webhook endpoints (ADMIN only: the API refuses the others, the nav hides the page):
// register one (its secret shown once), each endpoint with its deliveries and the
// actions the API has (WebhooksEndpoint.tsx). Live: recordChanged of the endpoint and
// delivery kinds re-fetches.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { gql, QueryFailed, useLive, useQuery } from "../api";
import { useI18n } from "../i18n";
import { type Endpoint, EndpointCard, Errors, type UserError } from "./WebhooksEndpoint";

const ENDPOINTS = `query Endpoints($deleted: Boolean!) {
  webhookEndpoints(includeDeleted: $deleted, first: 100) {
    totalCount
    edges { node {
      id url eventTypes status registeredAt secretRotatedAt version
      deliveries(first: 10) { totalCount edges { node {
        id eventType status attempts lastStatus lastError nextAttemptAt updatedAt
      } } }
    } }
  }
}`;
const CHANGED =
  'subscription Changed { recordChanged(kinds: ["WebhookEndpoint", "WebhookDelivery"]) { id } }';
const REGISTER = `mutation Register($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) {
    secret webhookEndpoint { id url } userErrors { field message code }
  }
}`;

export function Webhooks() {
  const { t, number } = useI18n();
  const [deleted, setDeleted] = useState(false);
  const endpoints = useQuery<{ webhookEndpoints: { totalCount: number; edges: { node: Endpoint }[] } }>(
    ENDPOINTS,
    { deleted },
  );
  useLive(CHANGED, {}, endpoints.refetch);
  const list = endpoints.data?.webhookEndpoints;
  return (
    <section class="webhooks">
      <h1>{t("webhooks.title")}</h1>
      <Register onRegistered={endpoints.refetch} />
      <h2>{t("webhooks.endpoints")}</h2>
      <label>
        <input
          type="checkbox"
          checked={deleted}
          onChange={(e) => setDeleted((e.target as HTMLInputElement).checked)}
        />{" "}
        {t("webhooks.showDeleted")}
      </label>
      <span class="note"> {t("webhooks.live")}</span>
      {endpoints.error && (
        <p role="alert" class="warning">
          {t("app.error", { message: endpoints.error.message })}
        </p>
      )}
      {!list ? (
        !endpoints.error && <p>{t("app.loading")}</p>
      ) : list.totalCount === 0 ? (
        <p>{t("webhooks.none")}</p>
      ) : (
        <>
          <p>{t("webhooks.count", { count: number(list.totalCount) })}</p>
          {list.edges.map(({ node }) => (
            <EndpointCard key={node.id} endpoint={node} onChanged={endpoints.refetch} />
          ))}
        </>
      )}
    </section>
  );
}

interface Registered {
  registerWebhookEndpoint: {
    secret: string | null;
    webhookEndpoint: { id: string; url: string } | null;
    userErrors: UserError[];
  };
}

function Register({ onRegistered }: { onRegistered: () => void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState("pavilion.exhibitors.*");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<UserError[]>([]);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setCreated(null);
    const input = {
      url: url.trim(),
      eventTypes: types.split(/[\s,]+/).filter(Boolean),
      description: description.trim() || null,
    };
    try {
      const answer = (await gql<Registered>(REGISTER, { input })).registerWebhookEndpoint;
      setErrors(answer.userErrors);
      if (answer.webhookEndpoint && answer.secret) {
        setCreated({ url: answer.webhookEndpoint.url, secret: answer.secret });
        setUrl("");
        setDescription("");
        onRegistered();
      }
    } catch (error) {
      const message = error instanceof QueryFailed ? error.message : String(error);
      setErrors([{ field: null, message, code: "ERROR" }]);
    } finally {
      setBusy(false);
    }
  };
  const about = (field: string) => errors.filter((e) => e.field?.[0] === field);
  const elsewhere = errors.filter((e) => !["url", "eventTypes", "description"].includes(e.field?.[0] ?? ""));
  return (
    <form class="register" onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title">{t("webhooks.register")}</h2>
      <Field id="webhook-url" label={t("webhooks.url")} errors={about("url")}>
        <input id="webhook-url" type="url" required value={url} onInput={(e) => setUrl(value(e))} />
      </Field>
      <Field id="webhook-types" label={t("webhooks.eventTypes")} errors={about("eventTypes")}>
        <input
          id="webhook-types"
          required
          aria-describedby="webhook-types-hint"
          value={types}
          onInput={(e) => setTypes(value(e))}
        />
      </Field>
      <p class="note" id="webhook-types-hint">
        {t("webhooks.eventTypesHint")}
      </p>
      <Field id="webhook-description" label={t("webhooks.description")} errors={about("description")}>
        <input id="webhook-description" value={description} onInput={(e) => setDescription(value(e))} />
      </Field>
      <Errors errors={elsewhere} />
      <button class="primary" type="submit" disabled={busy}>
        {t("webhooks.registerButton")}
      </button>
      {created && (
        <div class="secret" role="status" data-testid="new-secret">
          <p>{t("webhooks.registered", { url: created.url })}</p>
          <p>{t("webhooks.secretOnce")}</p>
          <code>{created.secret}</code>
        </div>
      )}
    </form>
  );
}

const value = (e: Event) => (e.target as HTMLInputElement).value;

function Field(props: { id: string; label: string; errors: UserError[]; children: ComponentChildren }) {
  const { id, label, errors, children } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      <Errors errors={errors} id={`${id}-error`} />
    </div>
  );
}
