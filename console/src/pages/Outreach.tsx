// /outreach: the delegations (leader, members) and their trips; ?trip=<id> is a trip's
// page, ?event=<id> an outreach event's. Live through recordChanged.
import { useLive } from "../api";
import { CHANGED, type Connection, Link, Personal, useDay, useParam, useQueryAll } from "../components/OutreachParts";
import { useI18n } from "../i18n";
import { OutreachEvent } from "./OutreachEvent";
import { OutreachTrip } from "./OutreachTrip";

interface Person {
  id: string;
  name: string | null;
  title: string | null;
  organization: { name: string } | null;
}
interface Delegation {
  id: string;
  name: string;
  organizer: string;
  purpose: string;
  leader: Person | null;
  members: Person[];
  trips: { id: string; name: string; status: string; stops: { city: string; startsOn: string; endsOn: string }[] }[];
}

const PERSON = "id name title organization { name }";
const DELEGATIONS = `query Delegations($after: String) { delegations(first: 20, after: $after) {
  pageInfo { hasNextPage endCursor } edges { node {
  id name organizer purpose leader { ${PERSON} } members { ${PERSON} }
  trips { id name status stops { city startsOn endsOn } } } } } }`;

export function Outreach() {
  const trip = useParam("trip");
  const event = useParam("event");
  if (event) return <OutreachEvent id={event} />;
  if (trip) return <OutreachTrip id={trip} />;
  return <Delegations />;
}

function Delegations() {
  const { t } = useI18n();
  const { data, error, refetch } = useQueryAll<{ delegations: Connection & { edges: { node: Delegation }[] } }>(
    DELEGATIONS,
    {},
    (answer) => answer.delegations,
  );
  useLive(CHANGED, { kinds: ["Delegation", "Trip"] }, refetch);
  return (
    <section class="outreach">
      <h1>{t("outreach.title")}</h1>
      {error && <p role="alert" class="warning">{t("app.error", { message: error.message })}</p>}
      {!data ? (
        !error && <p>{t("app.loading")}</p>
      ) : data.delegations.edges.length === 0 ? (
        <p>{t("outreach.noDelegations")}</p>
      ) : (
        data.delegations.edges.map(({ node }) => <DelegationCard delegation={node} />)
      )}
    </section>
  );
}

function DelegationCard({ delegation: d }: { delegation: Delegation }) {
  const { t } = useI18n();
  const day = useDay();
  const heading = `delegation-${d.id}`;
  return (
    <article class="card" aria-labelledby={heading}>
      <h2 id={heading}>{d.name}</h2>
      <p>
        {t("outreach.organizer", { organizer: d.organizer })} · {d.purpose}
      </p>
      <p>
        {t("outreach.leader")}: <Personal value={d.leader?.name} />
      </p>
      <h3>{t("outreach.members", { count: d.members.length })}</h3>
      <ul class="people" data-testid="members">
        {d.members.map((m) => (
          <li>
            <Personal value={m.name} />
            {m.organization && <span class="muted"> · {m.organization.name}</span>}
          </li>
        ))}
      </ul>
      <h3>{t("outreach.trips")}</h3>
      <ul class="trips">
        {d.trips.map((trip) => (
          <li>
            <Link to={`/outreach?trip=${encodeURIComponent(trip.id)}`}>{trip.name}</Link>{" "}
            <span class="badge">{t(`outreach.trip.${trip.status}`)}</span>{" "}
            <span class="muted">
              {trip.stops.map((s) => `${s.city} (${day(s.startsOn)})`).join(" → ")}
            </span>
          </li>
        ))}
      </ul>
    </article>
  );
}
