/**
 * Typed views of form values (XEP-0004 §3.3): booleans from `1`/`true`,
 * string lists for `*-multi` fields, one string otherwise; and filling in a
 * form to submit it, starting from the form's own defaults.
 */
import type { AnyFieldValue, DataForm, FieldType, LooseFormValues } from "./form-types.js";
import { MULTI_TYPES } from "./form-types.js";

/** The typed value of raw `values` for a field of `type`; undefined when there is none. */
export function typedValue(type: FieldType, values: readonly string[]): AnyFieldValue | undefined {
  if (MULTI_TYPES.has(type)) return [...values];
  const first = values[0];
  if (first === undefined) return undefined;
  if (type === "boolean") return first === "1" || first === "true";
  return first;
}

/** Every named, non-`fixed` field of `form` with its typed value (no validation). */
export function readValues(form: DataForm): LooseFormValues {
  const values: LooseFormValues = {};
  for (const field of form.fields) {
    if (field.var === undefined || field.type === "fixed") continue;
    if (Object.hasOwn(values, field.var)) continue;
    values[field.var] = typedValue(field.type, field.values);
  }
  return values;
}

/** Raw strings for a typed value of a field of `type`. */
export function rawValues(type: FieldType, value: AnyFieldValue): string[] {
  if (typeof value === "boolean") return [value ? "1" : "0"];
  if (Array.isArray(value)) return [...value];
  if (type === "text-multi") return value.split("\n");
  return [value];
}

/**
 * The `submit` form answering `form`: each named field takes the given value,
 * or keeps the form's default (hidden fields always keep theirs).
 */
export function fillForm(form: DataForm, values: Readonly<LooseFormValues> = {}): DataForm {
  const fields = [];
  for (const field of form.fields) {
    if (field.var === undefined || field.type === "fixed") continue;
    const given = field.type === "hidden" ? undefined : values[field.var];
    fields.push({
      type: field.type,
      var: field.var,
      values: given === undefined ? [...field.values] : rawValues(field.type, given),
    });
  }
  return { type: "submit", instructions: [], fields };
}
