/**
 * Checks a submitted form against the form that was shown (XEP-0004 §3.3
 * field semantics, XEP-0122 hints): required answers, one value for
 * single-valued types, booleans, JID syntax (through core's `parseJid`, which
 * also normalises), offered options, datatypes, ranges and patterns. Every
 * problem is reported per field; nothing throws.
 */
import { JidError, parseJid } from "@clawxmpp/core";
import type { FieldError } from "./commands-error.js";
import type { TypedForm } from "./form-builder.js";
import {
  type AnyFieldValue,
  type DataForm,
  type FormField,
  type FormValues,
  type LooseFormValues,
  MULTI_TYPES,
} from "./form-types.js";
import { typedValue } from "./form-values.js";
import { checkHints } from "./xdata-checks.js";

/** Outcome of {@link validateSubmission}. */
export type ValidationResult<V> =
  | { ok: true; values: V; errors?: undefined }
  | { ok: false; values?: undefined; errors: FieldError[] };

/** Options of {@link validateSubmission}. */
export interface ValidateOptions {
  /**
   * Run XEP-0122 regex patterns. Only for forms we defined: a peer's pattern
   * could be built to backtrack for minutes. @default true
   */
  trustRegex?: boolean;
}

/** Validates `submitted` (a `submit` form) against `definition`, returning typed values or per-field errors. */
export function validateSubmission<F extends readonly FormField[]>(
  definition: TypedForm<F>,
  submitted: DataForm,
  options?: ValidateOptions,
): ValidationResult<FormValues<F>>;
export function validateSubmission(
  definition: DataForm,
  submitted: DataForm,
  options?: ValidateOptions,
): ValidationResult<LooseFormValues>;
export function validateSubmission(
  definition: DataForm,
  submitted: DataForm,
  options: ValidateOptions = {},
): ValidationResult<LooseFormValues> {
  if (submitted.type !== "submit") {
    return {
      ok: false,
      errors: [
        { field: "", reason: "type", message: `expected a submit form, got ${submitted.type}` },
      ],
    };
  }
  const byVar = new Map<string, readonly string[]>();
  for (const field of submitted.fields) {
    if (field.var !== undefined && !byVar.has(field.var)) byVar.set(field.var, field.values);
  }
  const values: LooseFormValues = {};
  const errors: FieldError[] = [];
  for (const field of definition.fields) {
    if (field.var === undefined || field.type === "fixed") continue;
    // A field left out keeps the value the form offered (hidden fields always keep theirs).
    const raw = field.type === "hidden" ? field.values : (byVar.get(field.var) ?? field.values);
    const result = checkField(field, raw, options.trustRegex ?? true);
    if (typeof result === "object" && "reason" in result) errors.push(result);
    else values[field.var] = result;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
}

function checkField(
  field: FormField,
  raw: readonly string[],
  trustRegex: boolean,
): AnyFieldValue | undefined | FieldError {
  const name = field.var ?? "";
  const err = (reason: FieldError["reason"], message: string): FieldError => ({
    field: name,
    reason,
    message: `${field.label ?? name}: ${message}`,
  });
  const multi = MULTI_TYPES.has(field.type);
  const present = raw.filter((v) => v !== "" || field.type === "text-multi");
  const empty = present.length === 0 || (field.type === "text-multi" && raw.join("") === "");
  if (empty) return field.required ? err("required", "a value is required") : undefined;
  if (!multi && present.length > 1) return err("type", "takes a single value");
  if (field.type === "boolean" && !["0", "1", "true", "false"].includes(present[0]!))
    return err("type", `${JSON.stringify(present[0]!.slice(0, 40))} is not a boolean`);
  let values = present;
  if (field.type === "jid-single" || field.type === "jid-multi") {
    const normalised: string[] = [];
    for (const value of present) {
      try {
        normalised.push(parseJid(value).full);
      } catch (error) {
        const reason = error instanceof JidError ? error.message : "not a JID";
        return err("jid", reason);
      }
    }
    values = normalised;
  }
  const hints = field.validate;
  const open = hints?.method?.kind === "open";
  if ((field.type === "list-single" || field.type === "list-multi") && !open) {
    const offered = new Set((field.options ?? []).map((o) => o.value));
    const bad = values.find((v) => !offered.has(v));
    if (bad !== undefined)
      return err("option", `${JSON.stringify(bad.slice(0, 40))} is not one of the options`);
  }
  if (hints) {
    const { min, max } = hints.listRange ?? {};
    if (multi && min !== undefined && values.length < min)
      return err("range", `choose at least ${min}`);
    if (multi && max !== undefined && values.length > max)
      return err("range", `choose at most ${max}`);
    for (const value of values) {
      const problem = checkHints(value, hints, trustRegex);
      if (problem) return err(problem.reason, problem.message);
    }
  }
  return typedValue(field.type, values);
}
