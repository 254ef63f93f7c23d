/**
 * XEP-0004 data forms as far as pubsub needs them: a `submit` form carrying a
 * FORM_TYPE (§ 3.3 of XEP-0068) and field values, and reading the fields of a
 * received form into plain strings, bounded so a hostile form stays small.
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_DATA } from "./namespaces.js";

/** A field value: booleans become `1`/`0`, numbers their decimal form, arrays multi-values. */
export type FormValue = string | number | boolean | readonly string[];

/** Fields by `var`, each with its values in order. */
export type FormFields = Record<string, string[]>;

const MAX_FIELDS = 200;
const MAX_VALUES = 200;

function values(value: FormValue): string[] {
  if (typeof value === "boolean") return [value ? "1" : "0"];
  if (typeof value === "number") return [String(value)];
  if (typeof value === "string") return [value];
  return [...value];
}

/** Builds `<x type='submit'>` with `formType` and `fields` (keys may be short names like `access_model`). */
export function submitForm(
  formType: string,
  fields: Readonly<Record<string, FormValue>>,
  prefix = "pubsub#",
): Element {
  return xml(
    "x",
    { xmlns: NS_DATA, type: "submit" },
    xml("field", { var: "FORM_TYPE", type: "hidden" }, xml("value", {}, formType)),
    ...Object.entries(fields).map(([name, value]) =>
      xml(
        "field",
        { var: qualify(name, prefix) },
        ...values(value).map((v) => xml("value", {}, v)),
      ),
    ),
  );
}

/** `access_model` → `pubsub#access_model`; names already qualified (or FORM_TYPE) stay. */
export function qualify(name: string, prefix = "pubsub#"): string {
  return name.includes("#") || name === "FORM_TYPE" ? name : `${prefix}${name}`;
}

/** Reads the fields of a data form; extra fields and values beyond the bounds are ignored. */
export function readForm(form: Element | undefined): FormFields {
  const fields: FormFields = {};
  if (!form) return fields;
  let count = 0;
  for (const field of form.getChildren("field")) {
    const name = field.attrs.var;
    if (!name || Object.hasOwn(fields, name)) continue;
    if (++count > MAX_FIELDS) break;
    fields[name] = field
      .getChildren("value")
      .slice(0, MAX_VALUES)
      .map((v) => v.text());
  }
  return fields;
}
