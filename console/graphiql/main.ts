// GraphiQL from npm, bundled: the gateway serves this page at GET /graphql (when
// PAVILION_GATEWAY_GRAPHIQL is on). The page itself carries no token: the
// Authorization header is pre-filled from the link's #token=… fragment (make run prints
// one, as it does the console's sign-in link) or the console's session in this tab.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import "./page.css";
import { createElement } from "react";
import { createRoot } from "react-dom/client";
import { currentSession, takeFragmentToken } from "../src/auth";

takeFragmentToken();
const token = currentSession()?.token;
const authorization = token ? { Authorization: `Bearer ${token}` } : undefined;
const origin = new URL("/graphql", window.location.href);
const ws = `${origin.protocol === "https:" ? "wss:" : "ws:"}//${origin.host}/graphql`;
const fetcher = createGraphiQLFetcher({
  url: origin.href,
  subscriptionUrl: ws,
  wsConnectionParams: authorization,
});
const element = document.getElementById("graphiql");
if (element) {
  createRoot(element).render(
    createElement(GraphiQL, {
      fetcher,
      headers: authorization ? JSON.stringify(authorization, null, 2) : undefined,
      defaultQuery: "{\n  editions {\n    code\n    name\n  }\n}\n",
    }),
  );
}
