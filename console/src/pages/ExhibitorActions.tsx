// The changes an application allows now (its `allowedActions`), each a button; one
// whose mutation needs input opens a form. Each send carries the version the form was
// opened on (`expectedVersion`) and an idempotency key per attempt (kept for a retry
// after a request lost in transit, a new one once the gateway answered). userErrors
// show next to the field they name; a CONFLICT goes to the page, which explains and
// shows the record's current state.
import { useEffect, useState } from "preact/hooks";
import { gql, QueryFailed } from "../api";
import { useI18n } from "../i18n";

type Kind = "text" | "optional" | "amount" | "date" | "areas" | "list" | "email";
interface Field {
  name: string;
  kind: Kind;
}
interface Spec {
  mutation: string;
  input: string;
  fields: Field[];
}
export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}
/** What the forms start from: the record as shown. */
export interface Current {
  id: string;
  version: number;
  companyName: string;
  country: string;
  supplyChainAreas: string[];
  productCategories: string[];
  currency: string;
  areas: string[]; // the edition's
}

const f = (name: string, kind: Kind = "text"): Field => ({ name, kind });
const plain = (mutation: string): Spec => ({ mutation, input: "ApplicationInput", fields: [] });
const reason = (mutation: string): Spec => ({ mutation, input: "ReasonInput", fields: [f("reason")] });
const money = [f("amount", "amount"), f("currency")];
const ACTIONS: Record<string, Spec> = {
  START_REVIEW: plain("startReview"),
  APPROVE_APPLICATION: plain("approveApplication"),
  REJECT_APPLICATION: reason("rejectApplication"),
  WAITLIST_APPLICATION: plain("waitlistApplication"),
  ISSUE_CONTRACT: { mutation: "issueContract", input: "IssueContractInput", fields: [...money, f("dueDate", "date")] },
  SIGN_CONTRACT: plain("signContract"),
  RECORD_PAYMENT: { mutation: "recordPayment", input: "RecordPaymentInput", fields: [...money, f("reference")] },
  ASSIGN_BOOTH: { mutation: "assignBooth", input: "AssignBoothInput", fields: [f("hall"), f("boothCode")] },
  CONFIRM_PARTICIPATION: plain("confirmParticipation"),
  WITHDRAW_APPLICATION: reason("withdrawApplication"),
  CANCEL_APPLICATION: reason("cancelApplication"),
  UPDATE_EXHIBITOR_PROFILE: {
    mutation: "updateExhibitorProfile",
    input: "UpdateExhibitorProfileInput",
    fields: [f("companyName", "optional"), f("country", "optional"), f("website", "optional"), f("description", "optional")],
  },
  ADD_EXHIBITOR_CONTACT: {
    mutation: "addExhibitorContact",
    input: "AddExhibitorContactInput",
    fields: [f("name"), f("email", "email"), f("phone", "optional")],
  },
  REMOVE_EXHIBITOR_CONTACT: { mutation: "removeExhibitorContact", input: "RemoveExhibitorContactInput", fields: [f("email", "email")] },
  SET_SUPPLY_CHAIN_AREAS: { mutation: "setSupplyChainAreas", input: "SetSupplyChainAreasInput", fields: [f("supplyChainAreas", "areas")] },
  SET_PRODUCT_CATEGORIES: { mutation: "setProductCategories", input: "SetProductCategoriesInput", fields: [f("productCategories", "list")] },
  FORGET_EXHIBITOR_CONTACT: { mutation: "forgetExhibitorContact", input: "ForgetExhibitorContactInput", fields: [f("email", "email")] },
};

type Values = Record<string, string | string[]>;

function initial(spec: Spec, current: Current): Values {
  const start: Values = {
    currency: current.currency,
    companyName: current.companyName,
    country: current.country,
    supplyChainAreas: current.supplyChainAreas,
    productCategories: current.productCategories.join(", "),
  };
  return Object.fromEntries(spec.fields.map((field) => [field.name, start[field.name] ?? ""]));
}

/** The form's values as the mutation's input takes them. */
function input(spec: Spec, values: Values): Record<string, unknown> {
  const converted = spec.fields.map(({ name, kind }) => {
    const value = values[name];
    if (kind === "list") return [name, String(value).split(",").map((s) => s.trim()).filter(Boolean)];
    if (kind === "optional") return [name, String(value).trim() || null];
    return [name, value];
  });
  return Object.fromEntries(converted);
}

interface Props {
  actions: string[];
  current: Current;
  onDone: () => void;
  onConflict: () => void;
}

export function Actions({ actions, current, onDone, onConflict }: Props) {
  const { t } = useI18n();
  // the action whose form is open, the version it was opened on, and which click opened it
  const [open, setOpen] = useState<{ action: string; version: number; click: number } | null>(null);
  if (actions.length === 0) return <p class="note">{t("exhibitors.noActions")}</p>;
  const done = () => {
    setOpen(null);
    onDone();
  };
  const conflict = () => {
    setOpen(null);
    onConflict();
  };
  return (
    <div class="actions">
      <div class="buttons">
        {actions.map((action) => (
          <button
            type="button"
            aria-expanded={ACTIONS[action].fields.length ? open?.action === action : undefined}
            onClick={() => setOpen({ action, version: current.version, click: (open?.click ?? 0) + 1 })}
          >
            {t(`exhibitors.action.${action}`)}
          </button>
        ))}
      </div>
      {open && (
        <ActionForm
          key={open.click}
          action={open.action}
          current={{ ...current, version: open.version }}
          onDone={done}
          onConflict={conflict}
          onCancel={() => setOpen(null)}
        />
      )}
    </div>
  );
}

interface FormProps {
  action: string;
  current: Current;
  onDone: () => void;
  onConflict: () => void;
  onCancel: () => void;
}

function ActionForm({ action, current, onDone, onConflict, onCancel }: FormProps) {
  const { t } = useI18n();
  const spec = ACTIONS[action];
  const [values, setValues] = useState<Values>(() => initial(spec, current));
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const send = async (event?: Event) => {
    event?.preventDefault();
    setBusy(true);
    const document = `mutation Act($input: ${spec.input}!) {
      ${spec.mutation}(input: $input) { version userErrors { field message code } } }`;
    const variables = {
      input: { applicationId: current.id, expectedVersion: current.version, idempotencyKey: key, ...input(spec, values) },
    };
    try {
      const answer = await gql<Record<string, { userErrors: UserError[] }>>(document, variables);
      const userErrors = answer[spec.mutation].userErrors;
      setKey(crypto.randomUUID());
      if (userErrors.some((e) => e.code === "CONFLICT")) onConflict();
      else if (userErrors.length === 0) onDone();
      else setErrors(userErrors);
      setFailure(null);
    } catch (error) {
      if (error instanceof QueryFailed) setKey(crypto.randomUUID()); // answered: a new attempt next
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (spec.fields.length === 0) void send(); // an action without input is sent at once
  }, []);
  if (spec.fields.length === 0) return <Problems errors={errors} failure={failure} />;
  const named = new Set(spec.fields.map((field) => field.name));
  const general = errors.filter((e) => !named.has(e.field?.[e.field.length - 1] ?? ""));
  const title = t(`exhibitors.action.${action}`);
  return (
    <form class="action-form" aria-label={title} onSubmit={send}>
      <h3>{title}</h3>
      <Problems errors={general} failure={failure} />
      {spec.fields.map((field) => (
        <FieldInput
          field={field}
          value={values[field.name]}
          areas={current.areas}
          errors={errors.filter((e) => e.field?.[e.field.length - 1] === field.name)}
          onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
        />
      ))}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t("exhibitors.send")}
        </button>
        <button type="button" onClick={onCancel}>
          {t("exhibitors.cancel")}
        </button>
      </div>
    </form>
  );
}

function Problems({ errors, failure }: { errors: UserError[]; failure: string | null }) {
  const { t } = useI18n();
  if (errors.length === 0 && failure === null) return null;
  return (
    <div role="alert" class="warning">
      {errors.map((e) => (
        <p>{e.message}</p>
      ))}
      {failure && <p>{t("exhibitors.failed", { message: failure })}</p>}
    </div>
  );
}

interface FieldProps {
  field: Field;
  value: string | string[];
  areas: string[];
  errors: UserError[];
  onChange: (value: string | string[]) => void;
}

function FieldInput({ field, value, areas, errors, onChange }: FieldProps) {
  const { t, term } = useI18n();
  const id = `field-${field.name}`;
  const label = t(`exhibitors.field.${field.name}`);
  const problem = errors.length ? `${id}-error` : undefined;
  const message = problem && (
    <span id={problem} class="field-error">
      {errors.map((e) => e.message).join(" ")}
    </span>
  );
  if (field.kind === "areas") {
    const chosen = value as string[];
    return (
      <fieldset aria-describedby={problem}>
        <legend>{label}</legend>
        {areas.map((area) => (
          <label class="check">
            <input
              type="checkbox"
              checked={chosen.includes(area)}
              onChange={(e) =>
                onChange((e.target as HTMLInputElement).checked ? [...chosen, area] : chosen.filter((a) => a !== area))
              }
            />
            {term("area", area)}
          </label>
        ))}
        {message}
      </fieldset>
    );
  }
  const type = { amount: "text", date: "date", email: "email" }[field.kind as string] ?? "text";
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={type}
        inputMode={field.kind === "amount" ? "decimal" : undefined}
        value={value as string}
        required={field.kind !== "optional"}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem}
        onInput={(e) => onChange((e.target as HTMLInputElement).value)}
      />
      {message}
    </div>
  );
}
