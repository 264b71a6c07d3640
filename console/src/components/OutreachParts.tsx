// What the outreach pages share: a sub-page's record id from the address (?trip=…,
// ?event=…: the routes are exact paths), links within the console, personal fields
// (hidden for a VIEWER, not blank), and mutations whose userErrors are shown next to
// the field each names, a stale version (CONFLICT) explained and the page refreshed.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Fetched, gql, QueryFailed, useFetched } from "../api";
import { currentSession } from "../auth";
import { useI18n } from "../i18n";
import { BASE, navigate } from "../router";

/** What keeps a page live: any change to a record of `kinds` the viewer may see. */
export const CHANGED =
  "subscription Changed($kinds: [String!]) { recordChanged(kinds: $kinds) { id } }";

export interface Connection {
  edges: unknown[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * useQuery for a list longer than a page (the API gives at most 100 records a page):
 * the query (with `$after: String` on the connection that `connection` picks) is run
 * page after page and the edges joined, so the list keeps the API's order.
 */
export function useQueryAll<T>(
  query: string,
  variables: Record<string, unknown>,
  connection: (answer: T) => Connection | undefined,
): Fetched<T> {
  return useFetched(query, variables, async (vars) => {
    const answer = await gql<T>(query, { ...vars, after: null });
    const joined = connection(answer);
    while (joined?.pageInfo.hasNextPage) {
      const next = connection(await gql<T>(query, { ...vars, after: joined.pageInfo.endCursor }));
      if (!next) break;
      joined.edges.push(...next.edges);
      joined.pageInfo = next.pageInfo;
    }
    return answer;
  });
}

/** A parameter of the address's query string, followed as the console navigates. */
export function useParam(name: string): string | null {
  const read = () => new URLSearchParams(window.location.search).get(name);
  const [value, setValue] = useState(read);
  useEffect(() => {
    const changed = () => setValue(read());
    window.addEventListener("popstate", changed);
    return () => window.removeEventListener("popstate", changed);
  }, [name]);
  return value;
}

/** A record's page (a trip's, an event's): the way back, then its error, "Loading…",
 * "no such record", or the record. */
export function RecordPage(props: {
  error: QueryFailed | null;
  loaded: boolean;
  found: boolean;
  children: () => ComponentChildren;
}) {
  const { t } = useI18n();
  return (
    <section class="outreach">
      <p>
        <Link to="/outreach">{t("outreach.back")}</Link>
      </p>
      {props.error && <p role="alert" class="warning">{t("app.error", { message: props.error.message })}</p>}
      {!props.loaded ? (
        !props.error && <p>{t("app.loading")}</p>
      ) : !props.found ? (
        <p>{t("outreach.notFound")}</p>
      ) : (
        props.children()
      )}
    </section>
  );
}

export function Link({ to, children }: { to: string; children: ComponentChildren }) {
  const follow = (event: MouseEvent) => {
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={BASE + to} onClick={follow}>
      {children}
    </a>
  );
}

/** A personal field: the API nulls it for a VIEWER (shown "hidden"); else "–" if unset. */
export function Personal({ value }: { value: string | null | undefined }) {
  const { t } = useI18n();
  if (value) return <>{value}</>;
  const hidden = currentSession()?.role === "VIEWER";
  return <span class="muted">{hidden ? t("common.hidden") : "–"}</span>;
}

export const isStaff = (): boolean => {
  const role = currentSession()?.role;
  return role === "ADMIN" || role === "ORGANIZER";
};

export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
/** The errors of the last attempt, by the field each names ("" for the form's own). */
export type Errors = Record<string, string[]>;

function byField(errors: UserError[]): Errors {
  const grouped: Errors = {};
  for (const e of errors) {
    const name = e.field?.[e.field.length - 1] ?? "";
    (grouped[name] ??= []).push(e.message);
  }
  return grouped;
}

/**
 * Send a mutation whose payload (the answer's only field) has userErrors. A CONFLICT
 * (the record moved on since it was read) becomes the form's own error, explained, and
 * `refresh` shows the record's current state; on success `refresh` too.
 */
export function useMutation(mutation: string, refresh: () => void) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const send = async (input: Record<string, unknown>): Promise<boolean> => {
    setBusy(true);
    try {
      const answer = await gql<Record<string, { userErrors: UserError[] }>>(mutation, { input });
      const found = Object.values(answer)[0]?.userErrors ?? [];
      const conflict = found.some((e) => e.code === "CONFLICT");
      setErrors(conflict ? { "": [t("outreach.conflict")] } : byField(found));
      if (conflict || found.length === 0) refresh();
      return found.length === 0;
    } catch (error) {
      setErrors({ "": [error instanceof QueryFailed ? error.message : String(error)] });
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { send, errors, busy, clear: () => setErrors({}) };
}

/** The messages for one field (or the form's own: ""), announced as they appear. */
export function FieldErrors({ errors, field, id }: { errors: Errors; field: string; id?: string }) {
  const messages = errors[field];
  if (!messages?.length) return null;
  return (
    <span class="field-error" role="alert" id={id}>
      {messages.join(" ")}
    </span>
  );
}

/** Each message of fields no input shows, beside the form's own. */
export function OtherErrors({ errors, shown }: { errors: Errors; shown: string[] }) {
  const rest = Object.keys(errors).filter((f) => !shown.includes(f));
  if (rest.length === 0) return null;
  return (
    <p class="field-error" role="alert">
      {rest.flatMap((f) => errors[f] ?? []).join(" ")}
    </p>
  );
}

/** A date-and-time in a time zone (the stop's own; the browser's if none), zone named. */
export function useInstant(): (iso: string, timeZone?: string) => string {
  const { language } = useI18n();
  return (iso, timeZone) =>
    new Intl.DateTimeFormat(language, {
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "numeric",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short", // (dateStyle and timeStyle would refuse it)
    }).format(new Date(iso));
}

/** A calendar day (a Date of the API: already the day of its place's calendar). */
export function useDay(): (day: string) => string {
  const { language } = useI18n();
  const days = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" });
  return (day) => days.format(new Date(`${day}T00:00:00Z`));
}

/** A country's name in the console's language. */
export function useCountry(): (code: string) => string {
  const { language } = useI18n();
  const names = new Intl.DisplayNames([language], { type: "region" });
  return (code) => names.of(code) ?? code;
}
