// The chosen booth: its size, area, state and holder; when it is FREE and the viewer is
// staff, the applications that may be given it (allowedActions has ASSIGN_BOOTH) and
// assignBooth, with the application's version (a stale one is refused: CONFLICT,
// explained, and both lists fetched again) and an idempotency key per attempt.
import { useState } from "preact/hooks";
import { gql, QueryFailed, useQuery } from "../api";
import { useI18n } from "../i18n";
import type { FloorBooth } from "./FloorTypes";

interface Candidate {
  id: string;
  companyName: string;
  country: string;
  status: string;
  version: number;
  allowedActions: string[];
}
interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

// ASSIGN_BOOTH needs the contract signed and the deposit paid: CONTRACTED applications
const CANDIDATES = `query Candidates($edition: String!) {
  exhibitors(edition: $edition, filter: { status: [CONTRACTED] }, first: 100) {
    edges { node { id companyName country status version allowedActions } }
  }
}`;
const ASSIGN = `mutation Assign($input: AssignBoothInput!) {
  assignBooth(input: $input) {
    userErrors { field message code }
    exhibitor { id companyName booth { hall code } }
  }
}`;

interface Props {
  edition: string;
  booth: FloorBooth;
  staff: boolean;
  onAssigned: () => void;
}

export function FloorBoothPanel({ edition, booth, staff, onAssigned }: Props) {
  const { t, term, number } = useI18n();
  return (
    <section class="floor-panel" aria-labelledby="floor-panel-title">
      <h2 id="floor-panel-title">{t("floor.panel.title", { hall: booth.hall, code: booth.code })}</h2>
      <dl>
        <dt>{t("floor.panel.size")}</dt>
        <dd>{t("floor.sqm", { size: number(booth.sizeSqm) })}</dd>
        <dt>{t("floor.panel.area")}</dt>
        <dd>{term("area", booth.supplyChainArea)}</dd>
        <dt>{t("floor.panel.state")}</dt>
        <dd data-testid="booth-state">{t(`floor.state.${booth.state}`)}</dd>
        {booth.state !== "FREE" && (
          <>
            <dt>{t("floor.panel.holder")}</dt>
            <dd data-testid="booth-holder">{booth.holder?.companyName ?? t("floor.panel.notYours")}</dd>
          </>
        )}
      </dl>
      {booth.state === "OFFERED" && <p class="note">{t("floor.panel.offered")}</p>}
      {booth.state === "FREE" &&
        (staff ? (
          <AssignForm edition={edition} booth={booth} onAssigned={onAssigned} />
        ) : (
          <p class="note">{t("floor.panel.staffOnly")}</p>
        ))}
    </section>
  );
}

function AssignForm({ edition, booth, onAssigned }: Omit<Props, "staff">) {
  const { t, term } = useI18n();
  const candidates = useQuery<{ exhibitors: { edges: { node: Candidate }[] } }>(CANDIDATES, {
    edition,
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [conflict, setConflict] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState<string>(() => crypto.randomUUID());
  const eligible = (candidates.data?.exhibitors.edges ?? [])
    .map((e) => e.node)
    .filter((c) => c.allowedActions.includes("ASSIGN_BOOTH"));
  const choose = (id: string) => {
    setChosen(id);
    setKey(crypto.randomUUID()); // another intent
  };
  const current = eligible.find((c) => c.id === chosen);
  const now = current && {
    company: current.companyName,
    status: term("status", current.status),
    version: current.version,
  };
  const named = (e: UserError) => e.field?.[e.field.length - 1] ?? "";
  const on = (...fields: string[]) => errors.filter((e) => fields.includes(named(e)));
  const elsewhere = errors.filter(
    (e) => e.code !== "CONFLICT" && !["applicationId", "hall", "boothCode"].includes(named(e)),
  );
  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = eligible.find((c) => c.id === chosen);
    if (!candidate) {
      setErrors([{ field: ["applicationId"], message: t("floor.assign.choose"), code: "REQUIRED" }]);
      return;
    }
    setBusy(true);
    setFailed(null);
    try {
      const answer = await gql<{ assignBooth: { userErrors: UserError[] } }>(ASSIGN, {
        input: {
          applicationId: candidate.id,
          hall: booth.hall,
          boothCode: booth.code,
          expectedVersion: candidate.version,
          idempotencyKey: key,
        },
      });
      const found = answer.assignBooth.userErrors;
      const stale = found.some((e) => e.code === "CONFLICT");
      setErrors(found);
      setConflict(stale);
      setKey(crypto.randomUUID()); // answered: the next attempt is a new one
      if (stale) candidates.refetch();
      if (stale || found.length === 0) onAssigned();
    } catch (error) {
      // no answer (the network): a retry keeps the key, so it cannot assign twice
      setFailed(error instanceof QueryFailed ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  if (candidates.error) return <p role="alert" class="warning">{t("app.error", { message: candidates.error.message })}</p>;
  if (!candidates.data) return <p>{t("app.loading")}</p>;
  return (
    <form onSubmit={submit} class="floor-assign">
      {on("hall", "boothCode").map((e) => (
        <p class="floor-error" role="alert">{e.message}</p>
      ))}
      {conflict && (
        <div role="alert" class="warning">
          <p data-testid="conflict">{t("floor.assign.conflict")}</p>
          <p data-testid="current">{now ? t("floor.assign.current", now) : t("floor.assign.gone")}</p>
        </div>
      )}
      <fieldset aria-describedby="floor-assign-errors">
        <legend>{t("floor.assign.legend")}</legend>
        {eligible.length === 0 && <p class="note">{t("floor.assign.none")}</p>}
        {eligible.map((c) => (
          <label class="choice">
            <input
              type="radio"
              name="application"
              value={c.id}
              checked={chosen === c.id}
              onChange={() => choose(c.id)}
            />{" "}
            {c.companyName} ({c.country})
          </label>
        ))}
        <div id="floor-assign-errors">
          {on("applicationId").map((e) => (
            <p class="floor-error" role="alert">{e.message}</p>
          ))}
        </div>
      </fieldset>
      {elsewhere.map((e) => (
        <p class="floor-error" role="alert">{e.message}</p>
      ))}
      {failed && <p role="alert" class="warning">{t("app.error", { message: failed })}</p>}
      <button type="submit" class="primary" disabled={busy || eligible.length === 0}>
        {t("floor.assign.submit", { code: booth.code })}
      </button>
    </form>
  );
}
