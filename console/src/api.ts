// The console's only way to the data: the public GraphQL API. Queries and mutations
// over fetch, subscriptions over graphql-ws (graphql-transport-ws), both with the
// session's bearer token. A 401 (expired or refused token) ends the session.
import { type Client, createClient } from "graphql-ws";
import { useCallback, useEffect, useState } from "preact/hooks";
import { currentSession, signOut } from "./auth";

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}
export class QueryFailed extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors.map((e) => e.message).join("; "));
  }
}

let onSignedOut: () => void = () => undefined;
/** The app re-renders the sign-in page when a request finds the session gone. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

function ended(): never {
  closeSubscriptions();
  onSignedOut();
  throw new QueryFailed([{ message: "signed out", extensions: { code: "UNAUTHENTICATED" } }]);
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const session = currentSession();
  if (session === null) ended();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) {
    signOut("refused");
    ended();
  }
  const body = (await response.json()) as { data?: T; errors?: GraphQLError[] };
  if (body.errors?.length) throw new QueryFailed(body.errors);
  return body.data as T;
}

let client: Client | null = null;

function subscriptions(): Client {
  if (client === null) {
    const url = new URL("/graphql", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    client = createClient({
      url: url.href,
      lazy: true,
      connectionParams: () => ({ Authorization: `Bearer ${currentSession()?.token ?? ""}` }),
    });
  }
  return client;
}

function closeSubscriptions(): void {
  void client?.dispose();
  client = null;
}

/** Call `onNext` for each event of a subscription; returns the unsubscribe function. */
export function subscribe(
  query: string,
  variables: Record<string, unknown>,
  onNext: () => void,
): () => void {
  return subscriptions().subscribe(
    { query, variables },
    { next: onNext, error: () => undefined, complete: () => undefined },
  );
}

export interface Fetched<T> {
  data: T | null;
  error: QueryFailed | null;
  refetch: () => void;
}

/** A query's latest answer; re-run when `variables` change or on refetch(). */
export function useQuery<T>(query: string, variables: Record<string, unknown> | null): Fetched<T> {
  return useFetched(query, variables, (vars) => gql<T>(query, vars));
}

/** The latest answer of `fetch` (a query's, however many requests it takes): re-run
 * when `query` or `variables` change or on refetch(); none while `variables` is null. */
export function useFetched<T>(
  query: string,
  variables: Record<string, unknown> | null,
  fetch: (variables: Record<string, unknown>) => Promise<T>,
): Fetched<T> {
  const [state, setState] = useState<{ data: T | null; error: QueryFailed | null }>({
    data: null,
    error: null,
  });
  const [round, setRound] = useState(0);
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (variables === null) return;
    let current = true;
    fetch(variables).then(
      (data) => current && setState({ data, error: null }),
      (error: unknown) =>
        current &&
        setState((s) => ({
          data: s.data,
          error: error instanceof QueryFailed ? error : new QueryFailed([{ message: String(error) }]),
        })),
    );
    return () => {
      current = false;
    };
  }, [query, key, round]);
  return { ...state, refetch: useCallback(() => setRound((r) => r + 1), []) };
}

/** Refetch (debounced) whenever the subscription reports a change. */
export function useLive(
  query: string,
  variables: Record<string, unknown> | null,
  refetch: () => void,
  waitMs = 500,
): void {
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (variables === null) return;
    let timer: number | undefined;
    const stop = subscribe(query, variables, () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(refetch, waitMs);
    });
    return () => {
      window.clearTimeout(timer);
      stop();
    };
  }, [query, key]);
}
