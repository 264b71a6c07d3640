// Every page of the console, in the nav's order. Add one here: its route, its title
// (a dictionary key), the roles that may use it (the nav hides it from the others, and
// the route answers "no page"), and its component. A route with a parameter
// ("/exhibitors/:id") is reached by links, not listed in the nav; its component gets
// the parameters as `params`.
import type { FunctionComponent } from "preact";
import type { Role } from "./auth";
import type { Key } from "./i18n";
import { Dashboard } from "./pages/Dashboard";
import { Application } from "./pages/ExhibitorApplication";
import { Board } from "./pages/ExhibitorsBoard";
import { MyApplications } from "./pages/ExhibitorsMine";
import { Notifications } from "./pages/Notifications";
import { Webhooks } from "./pages/Webhooks";
import { Outreach } from "./pages/Outreach";
import { OutreachContacts } from "./pages/OutreachContacts";
import { OutreachFollowUps } from "./pages/OutreachFollowUps";
import { Floor } from "./pages/Floor";

export interface Page {
  route: string;
  title: Key;
  roles: readonly Role[];
  component: FunctionComponent<{ params: Record<string, string> }>;
}

const STAFF: readonly Role[] = ["ADMIN", "ORGANIZER"];

export const PAGES: readonly Page[] = [
  { route: "/", title: "nav.dashboard", roles: [...STAFF, "VIEWER"], component: Dashboard },
  { route: "/exhibitors", title: "exhibitors.nav", roles: [...STAFF, "VIEWER"], component: Board },
  { route: "/my-applications", title: "exhibitors.mine", roles: ["EXHIBITOR"], component: MyApplications },
  { route: "/exhibitors/:id", title: "exhibitors.application", roles: [...STAFF, "VIEWER", "EXHIBITOR"], component: Application },
  { route: "/floor", title: "floor.nav", roles: [...STAFF, "VIEWER", "EXHIBITOR"], component: Floor },
  { route: "/outreach", title: "nav.outreach", roles: [...STAFF, "VIEWER"], component: Outreach },
  { route: "/contacts", title: "nav.contacts", roles: [...STAFF, "VIEWER"], component: OutreachContacts },
  { route: "/follow-ups", title: "nav.followUps", roles: [...STAFF, "VIEWER"], component: OutreachFollowUps },
  { route: "/notifications", title: "nav.notifications", roles: [...STAFF, "VIEWER"], component: Notifications },
  { route: "/webhooks", title: "nav.webhooks", roles: ["ADMIN"], component: Webhooks },
];

export function pagesFor(role: Role): Page[] {
  return PAGES.filter((page) => page.roles.includes(role));
}
