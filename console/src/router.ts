// Client-side routes under /console/ (the gateway answers index.html for each).
import { useEffect, useState } from "preact/hooks";

export const BASE = "/console";

/** The route: the path after /console, "/" at least. */
export function routeOf(pathname: string): string {
  return pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : "/";
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
