// Every page of the console, in the nav's order. Add one here: its route, its title
// (a dictionary key), the roles that may use it (the nav hides it from the others, and
// the route answers "no page"), and its component.
import type { FunctionComponent } from "preact";
import type { Role } from "./auth";
import type { Key } from "./i18n";
import { Dashboard } from "./pages/Dashboard";
import { Floor } from "./pages/Floor";

export interface Page {
  route: string;
  title: Key;
  roles: readonly Role[];
  component: FunctionComponent;
}

const STAFF: readonly Role[] = ["ADMIN", "ORGANIZER"];

export const PAGES: readonly Page[] = [
  { route: "/", title: "nav.dashboard", roles: [...STAFF, "VIEWER"], component: Dashboard },
  { route: "/floor", title: "floor.nav", roles: [...STAFF, "VIEWER", "EXHIBITOR"], component: Floor },
];

export function pagesFor(role: Role): Page[] {
  return PAGES.filter((page) => page.roles.includes(role));
}
