// The signed-in session: a bearer token kept in sessionStorage (this tab only), from
// the dev sign-in link's fragment (#token=…, never sent to a server) or from an OIDC
// provider (authorization code + PKCE). Claims are read for display only: the gateway
// verifies every request.
import type { ConsoleConfig } from "./config";

export type Role = "ADMIN" | "ORGANIZER" | "EXHIBITOR" | "VIEWER";
export interface Session {
  token: string;
  subject: string;
  role: Role;
  expires: number; // seconds since the epoch
}
/** Why the last session ended: shown on the sign-in page. */
export type Ending = "signedOut" | "expired" | "refused";

const TOKEN = "pavilion.token";
const ENDING = "pavilion.ending";
const PKCE = "pavilion.pkce";

function claims(token: string): Record<string, unknown> | null {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function sessionOf(token: string): Session | null {
  const c = claims(token);
  if (!c || typeof c.sub !== "string" || typeof c.role !== "string" || typeof c.exp !== "number")
    return null;
  return { token, subject: c.sub, role: c.role as Role, expires: c.exp };
}

/** Keep the token of a #token=… fragment and take it out of the address bar. */
export function takeFragmentToken(): void {
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (token === null) return;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  signIn(token);
}

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.removeItem(ENDING);
}

/** The current session, or null (an expired one ends here, and says so). */
export function currentSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN);
  if (token === null) return null;
  const session = sessionOf(token);
  if (session === null) {
    signOut("refused");
    return null;
  }
  if (session.expires * 1000 <= Date.now()) {
    signOut("expired");
    return null;
  }
  return session;
}

export function signOut(ending: Ending): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.setItem(ENDING, ending);
}

export function lastEnding(): Ending | null {
  return sessionStorage.getItem(ENDING) as Ending | null;
}

// --- OIDC: authorization code + PKCE, endpoints from the issuer's discovery document

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function random(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`discovery: HTTP ${response.status}`);
  return (await response.json()) as Discovery;
}

export function redirectUri(): string {
  return new URL("/console/callback", window.location.origin).href;
}

/** Go to the issuer's sign-in page; it comes back to /console/callback. */
export async function startOidc(oidc: NonNullable<ConsoleConfig["oidc"]>): Promise<void> {
  const { authorization_endpoint } = await discover(oidc.issuer);
  const verifier = random();
  const state = random();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  const url = new URL(authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: oidc.clientId,
    redirect_uri: redirectUri(),
    scope: oidc.scope,
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.href);
}

/** At /console/callback: trade the code for the access token, the gateway's bearer. */
export async function finishOidc(oidc: NonNullable<ConsoleConfig["oidc"]>): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const pending = JSON.parse(sessionStorage.getItem(PKCE) ?? "null") as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE);
  window.history.replaceState(null, "", "/console/");
  const code = params.get("code");
  if (!pending || !code || params.get("state") !== pending.state) {
    signOut("refused");
    return;
  }
  const { token_endpoint } = await discover(oidc.issuer);
  const response = await fetch(token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: redirectUri(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string };
  if (!response.ok || !body.access_token || !sessionOf(body.access_token)) {
    signOut("refused");
    return;
  }
  signIn(body.access_token);
}
