// Two pages from one build, every asset bundled (no CDN): the console (index.html,
// Preact) and GraphiQL (graphiql.html, React: GraphiQL needs the real thing). The
// gateway serves dist/ at /console/ and GraphiQL's page at GET /graphql.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/console/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // one chunk per page: no inline scripts or styles (the CSP forbids them)
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000, // GraphiQL: one large chunk, loaded only on its page
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { console: "index.html", graphiql: "graphiql.html" },
      // GraphiQL's Radix parts say "use client" (for React server components): moot here
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
