// GraphiQL from npm, bundled: the gateway serves this page at GET /graphql (when
// PAVILION_GATEWAY_GRAPHIQL is on). In dev mode the gateway puts a dev token in
// <meta name="pavilion-dev-token">; it pre-fills the Authorization header.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/graphiql.css";
import "./page.css";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

const token = document.querySelector<HTMLMetaElement>('meta[name="pavilion-dev-token"]')?.content;
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
