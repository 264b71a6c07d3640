// Client-side routes under /console/ (the gateway answers index.html for each).
import { useEffect, useState } from "preact/hooks";

export const BASE = "/console";

/** The route: the path after /console, "/" at least. */
export function routeOf(pathname: string): string {
  return pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : "/";
}

/** The parameters of `route` if it matches `pattern` ("/exhibitors/:id": a segment
 * after ':' is a parameter), else null. */
export function matchRoute(pattern: string, route: string): Record<string, string> | null {
  const want = pattern.split("/");
  const have = route.split("/");
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(have[i]);
    else if (part !== have[i]) return null;
  }
  return params;
}

export function navigate(route: string): void {
  window.history.pushState(null, "", BASE + route);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): string {
  const [route, setRoute] = useState(routeOf(window.location.pathname));
  useEffect(() => {
    const changed = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener("popstate", changed);
    return () => window.removeEventListener("popstate", changed);
  }, []);
  return route;
}
