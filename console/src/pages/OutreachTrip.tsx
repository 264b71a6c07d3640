// A trip's page (/outreach?trip=<id>): its stops in order on a horizontal timeline, each
// with its days (of the stop's own calendar), city, and events at the stop's local time.
import { useLive, useQuery } from "../api";
import { CHANGED, Link, RecordPage, useCountry, useDay, useInstant } from "../components/OutreachParts";
import { useI18n } from "../i18n";

interface Stop {
  index: number;
  city: string;
  country: string;
  startsOn: string;
  endsOn: string;
  timeZone: string;
  events: { id: string; name: string; kind: string; startsAt: string; status: string; invited: number; accepted: number; attended: number }[];
}
interface Trip {
  id: string;
  name: string;
  status: string;
  delegation: { name: string } | null;
  stops: Stop[];
}

const TRIP = `query Trip($id: ID!) { trip(id: $id) { id name status delegation { name }
  stops { index city country startsOn endsOn timeZone
    events { id name kind startsAt status invited accepted attended } } } }`;

export function OutreachTrip({ id }: { id: string }) {
  const { t } = useI18n();
  const { data, error, refetch } = useQuery<{ trip: Trip | null }>(TRIP, { id });
  useLive(CHANGED, { kinds: ["Trip", "OutreachEvent"] }, refetch);
  const trip = data?.trip;
  return (
    <RecordPage error={error} loaded={data !== null} found={!!trip}>
      {() =>
        trip && (
          <>
            <h1>{trip.name}</h1>
            <p>
              {trip.delegation?.name} · <span class="badge">{t(`outreach.trip.${trip.status}`)}</span>
            </p>
            <ol class="stops" aria-label={t("outreach.itinerary")}>
              {[...trip.stops]
                .sort((a, b) => a.index - b.index)
                .map((stop) => (
                  <StopCard stop={stop} />
                ))}
            </ol>
          </>
        )
      }
    </RecordPage>
  );
}

function StopCard({ stop }: { stop: Stop }) {
  const { t, number } = useI18n();
  const day = useDay();
  const instant = useInstant();
  const country = useCountry();
  const days = stop.startsOn === stop.endsOn ? day(stop.startsOn) : `${day(stop.startsOn)} – ${day(stop.endsOn)}`;
  return (
    <li class="stop" data-testid="stop">
      <h2 class="city">{stop.city}</h2>
      <p class="muted">
        {country(stop.country)} · {stop.timeZone}
      </p>
      <p class="days">{days}</p>
      <ul class="events">
        {stop.events.map((e) => (
          <li>
            <Link to={`/outreach?event=${encodeURIComponent(e.id)}`}>{e.name}</Link>
            <br />
            <time dateTime={e.startsAt}>{instant(e.startsAt, stop.timeZone)}</time>
            <br />
            <span class="muted">
              {t("outreach.eventCounts", {
                invited: number(e.invited),
                accepted: number(e.accepted),
                attended: number(e.attended),
              })}
            </span>
          </li>
        ))}
      </ul>
    </li>
  );
}
