/**
 * Writes a {@link DataForm} as the XEP-0004 `<x xmlns="jabber:x:data"/>`
 * element (§3.1–§3.4). A `submit` form carries only names and values
 * (§3.3: labels, options and descriptions are for the form-filler).
 */
import { type Element, xml } from "@clawxmpp/core";
import type { DataForm, FormField } from "./form-types.js";
import { NS_DATA } from "./namespaces.js";
import { validateElement } from "./xdata-validate.js";

/** Serialises `form`. */
export function formElement(form: DataForm): Element {
  const full = form.type === "form" || form.type === "result";
  return xml(
    "x",
    { xmlns: NS_DATA, type: form.type },
    full && form.title !== undefined && xml("title", {}, form.title),
    ...(full ? form.instructions.map((line) => xml("instructions", {}, line)) : []),
    ...(form.type === "cancel" ? [] : form.fields.map((f) => fieldElement(f, full))),
    form.reported && xml("reported", {}, ...form.reported.map((f) => fieldElement(f, true))),
    ...(form.items ?? []).map((row) => xml("item", {}, ...row.map((f) => fieldElement(f, false)))),
  );
}

function fieldElement(field: FormField, full: boolean): Element {
  return xml(
    "field",
    { var: field.var, type: field.type, label: full ? field.label : undefined },
    full && field.desc !== undefined && xml("desc", {}, field.desc),
    full && field.required === true && xml("required"),
    ...field.values.map((value) => xml("value", {}, value)),
    ...(full ? (field.options ?? []) : []).map((o) =>
      xml("option", { label: o.label }, xml("value", {}, o.value)),
    ),
    full && field.validate && validateElement(field.validate),
  );
}
