import { render } from "preact";
import { App } from "./App";
import { finishOidc, takeFragmentToken } from "./auth";
import { loadConfig } from "./config";
import { routeOf } from "./router";
import "./styles.css";

async function start(): Promise<void> {
  takeFragmentToken();
  const config = await loadConfig();
  if (config.oidc && routeOf(window.location.pathname) === "/callback") await finishOidc(config.oidc);
  render(<App config={config} />, document.getElementById("app") as HTMLElement);
}

start().catch((error: unknown) => {
  // the gateway (config.json) or the OIDC provider (the callback) did not answer
  (document.getElementById("app") as HTMLElement).textContent =
    `The console could not start: ${String(error)}`;
});
