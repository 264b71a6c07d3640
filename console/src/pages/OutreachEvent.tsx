// An outreach event's page (/outreach?event=<id>): its counts, the invitations (invitee,
// RSVP, attendance) with the actions staff need at the door — record attendance, capture
// an interest from someone who came — and the interests captured there, by stage.
import { useState } from "preact/hooks";
import { useLive } from "../api";
import {
  CHANGED,
  type Connection,
  FieldErrors,
  isStaff,
  OtherErrors,
  Personal,
  RecordPage,
  useInstant,
  useMutation,
  useQueryAll,
} from "../components/OutreachParts";
import { useI18n } from "../i18n";

interface Invitation {
  status: string;
  attended: boolean | null;
  contact: { id: string; name: string | null; organization: { name: string } | null } | null;
}
interface Interest {
  id: string;
  kind: string;
  stage: string;
  owner: string | null;
  contact: { name: string | null } | null;
  organization: { name: string } | null;
}
interface Event {
  id: string;
  name: string;
  kind: string;
  city: string;
  venue: string | null;
  startsAt: string;
  endsAt: string;
  status: string;
  capacity: number | null;
  invited: number;
  accepted: number;
  attended: number;
  version: number;
  invitations: Connection & { edges: { node: Invitation }[] };
  interests: { totalCount: number; edges: { node: Interest }[] };
}

const EVENT = `query Event($id: ID!, $after: String) { editions { code startsOn } node(id: $id) { ... on OutreachEvent {
  id name kind city venue startsAt endsAt status capacity invited accepted attended version
  invitations(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { status attended
    contact { id name organization { name } } } } }
  interests(first: 100) { totalCount edges { node { id kind stage owner
    contact { name } organization { name } } } } } } }`;
const ATTENDANCE = `mutation Attendance($input: RecordAttendanceInput!) {
  recordAttendance(input: $input) { userErrors { field message code } } }`;
const CAPTURE = `mutation Capture($input: CaptureInterestInput!) {
  captureInterest(input: $input) { userErrors { field message code } } }`;
const KINDS = ["EXHIBIT", "VISIT", "PARTNER"];

interface Answer {
  editions: { code: string; startsOn: string }[];
  node: Event | null;
}

export function OutreachEvent({ id }: { id: string }) {
  const { data, error, refetch } = useQueryAll<Answer>(EVENT, { id }, (answer) => answer.node?.invitations);
  useLive(CHANGED, { kinds: ["OutreachEvent", "Interest"] }, refetch);
  const event = data?.node;
  // interests are captured for the edition being prepared: the latest by start date
  const edition = data ? [...data.editions].sort((a, b) => a.startsOn.localeCompare(b.startsOn)).pop()?.code : undefined;
  return (
    <RecordPage error={error} loaded={data !== null} found={!!event?.id}>
      {() =>
        event && (
          <>
            <EventHeader event={event} />
            <Invitations event={event} edition={edition} refresh={refetch} />
            <Interests interests={event.interests} />
          </>
        )
      }
    </RecordPage>
  );
}

function EventHeader({ event: e }: { event: Event }) {
  const { t, number } = useI18n();
  const instant = useInstant();
  const counts = [
    ["invited", e.invited],
    ["accepted", e.accepted],
    ["attended", e.attended],
    ["interests", e.interests.totalCount],
  ] as const;
  return (
    <>
      <h1>{e.name}</h1>
      <p>
        {t(`outreach.kind.${e.kind}`)} · {e.city}
        {e.venue && ` · ${e.venue}`} · <time dateTime={e.startsAt}>{instant(e.startsAt)}</time> ·{" "}
        <span class="badge">{t(`outreach.event.${e.status}`)}</span>
      </p>
      <dl class="tiles">
        {counts.map(([key, value]) => (
          <div>
            <dt>{t(`outreach.count.${key}`)}</dt>
            <dd data-testid={`count-${key}`}>{number(value)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function Invitations(props: { event: Event; edition: string | undefined; refresh: () => void }) {
  const { t } = useI18n();
  return (
    <>
      <h2 id="invitations">{t("outreach.invitations")}</h2>
      <table aria-labelledby="invitations" data-testid="invitations">
        <thead>
          <tr>
            <th scope="col">{t("outreach.invitee")}</th>
            <th scope="col">{t("outreach.organization")}</th>
            <th scope="col">{t("outreach.rsvp")}</th>
            <th scope="col">{t("outreach.attendance")}</th>
            {isStaff() && <th scope="col">{t("outreach.actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {props.event.invitations.edges.map(({ node }) => (
            <InvitationRow invitation={node} {...props} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function InvitationRow({
  invitation: i,
  event,
  edition,
  refresh,
}: { invitation: Invitation; event: Event; edition: string | undefined; refresh: () => void }) {
  const { t } = useI18n();
  const attendance = i.attended === null ? "–" : t(i.attended ? "outreach.came" : "outreach.noShow");
  return (
    <tr>
      <th scope="row">
        <Personal value={i.contact?.name} />
      </th>
      <td>{i.contact?.organization?.name ?? "–"}</td>
      <td>{t(`outreach.invitation.${i.status}`)}</td>
      <td>{attendance}</td>
      {isStaff() && (
        <td>
          {i.contact && i.status === "ACCEPTED" && i.attended === null && (
            <RecordAttendance event={event} contactId={i.contact.id} refresh={refresh} />
          )}
          {i.contact && i.attended && edition && (
            <CaptureInterest event={event} contactId={i.contact.id} edition={edition} refresh={refresh} />
          )}
        </td>
      )}
    </tr>
  );
}

interface ActionProps {
  event: Event;
  contactId: string;
  refresh: () => void;
}

function RecordAttendance({ event, contactId, refresh }: ActionProps) {
  const { t } = useI18n();
  const { send, errors, busy } = useMutation(ATTENDANCE, refresh);
  const record = (attended: boolean) =>
    send({ eventId: event.id, contactId, attended, expectedVersion: event.version });
  return (
    <span class="actions">
      <button type="button" disabled={busy} onClick={() => record(true)}>
        {t("outreach.markCame")}
      </button>
      <button type="button" disabled={busy} onClick={() => record(false)}>
        {t("outreach.markNoShow")}
      </button>
      <FieldErrors errors={errors} field="attended" />
      <OtherErrors errors={errors} shown={["attended"]} />
    </span>
  );
}

function CaptureInterest({ event, contactId, edition, refresh }: ActionProps & { edition: string }) {
  const { t } = useI18n();
  const [kind, setKind] = useState("EXHIBIT");
  const { send, errors, busy } = useMutation(CAPTURE, refresh);
  const capture = (e: SubmitEvent) => {
    e.preventDefault();
    void send({ contactId, kind, edition, sourceEventId: event.id });
  };
  return (
    <form class="actions" onSubmit={capture}>
      <select
        aria-label={t("outreach.interestKind")}
        value={kind}
        onChange={(e) => setKind((e.target as HTMLSelectElement).value)}
      >
        {KINDS.map((k) => (
          <option value={k}>{t(`outreach.interestKind.${k}`)}</option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        {t("outreach.capture")}
      </button>
      <FieldErrors errors={errors} field="kind" />
      <OtherErrors errors={errors} shown={["kind"]} />
    </form>
  );
}

function Interests({ interests }: { interests: Event["interests"] }) {
  const { t, term } = useI18n();
  return (
    <>
      <h2 id="interests">{t("outreach.interests")}</h2>
      <table aria-labelledby="interests" data-testid="interests">
        <thead>
          <tr>
            <th scope="col">{t("outreach.contact")}</th>
            <th scope="col">{t("outreach.organization")}</th>
            <th scope="col">{t("outreach.interestKind")}</th>
            <th scope="col">{t("outreach.stage")}</th>
            <th scope="col">{t("outreach.owner")}</th>
          </tr>
        </thead>
        <tbody>
          {interests.edges.map(({ node: n }) => (
            <tr>
              <th scope="row">
                <Personal value={n.contact?.name} />
              </th>
              <td>{n.organization?.name ?? "–"}</td>
              <td>{t(`outreach.interestKind.${n.kind}`)}</td>
              <td>{term("stage", n.stage)}</td>
              <td>
                <Personal value={n.owner} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
