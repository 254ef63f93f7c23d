/**
 * Reads an XEP-0004 `<x xmlns="jabber:x:data"/>` element (§3) into a
 * {@link DataForm}. The element comes from the network: every count and
 * length is bounded by {@link FormLimits}, unknown field types read as
 * `text-single` (§3.3's default), and a malformed form is one clear error.
 */
import type { Element } from "@clawxmpp/core";
import { CommandsError } from "./commands-error.js";
import { DEFAULT_FORM_LIMITS, type FormLimits } from "./form-limits.js";
import {
  type DataForm,
  FIELD_TYPES,
  type FieldOption,
  type FieldType,
  FORM_TYPES,
  type FormField,
  type FormType,
} from "./form-types.js";
import { NS_DATA } from "./namespaces.js";
import { parseValidation } from "./xdata-validate.js";

/** The first data form among `parent`'s children, parsed; undefined when there is none. */
export function findForm(parent: Element, limits: Partial<FormLimits> = {}): DataForm | undefined {
  const x = parent.getChild("x", NS_DATA);
  return x ? parseForm(x, limits) : undefined;
}

/** Parses a data form element; throws {@link CommandsError} `bad-payload` on a malformed or oversized one. */
export function parseForm(x: Element, limits: Partial<FormLimits> = {}): DataForm {
  const lim = { ...DEFAULT_FORM_LIMITS, ...limits };
  if (x.name !== "x" || x.attrs.xmlns !== NS_DATA) fail("not a jabber:x:data element");
  const type = x.attrs.type;
  if (!(FORM_TYPES as readonly string[]).includes(type ?? ""))
    fail(`unknown form type ${JSON.stringify(String(type).slice(0, 20))}`);
  const budget = { fields: lim.maxFields };
  const children = x.getChildElements();
  const instructions = children.filter((c) => c.name === "instructions");
  if (instructions.length > lim.maxInstructions) fail("too many instructions");
  const title = x.getChild("title")?.text();
  const reportedEl = x.getChild("reported");
  const items = children.filter((c) => c.name === "item");
  if (items.length > lim.maxItems) fail(`more than ${lim.maxItems} items`);
  return {
    type: type as FormType,
    title: title === undefined ? undefined : text(title, lim),
    instructions: instructions.map((i) => text(i.text(), lim)),
    fields: parseFields(x, lim, budget),
    reported: reportedEl ? parseFields(reportedEl, lim, budget) : undefined,
    items:
      reportedEl || items.length > 0 ? items.map((i) => parseFields(i, lim, budget)) : undefined,
  };
}

function parseFields(parent: Element, lim: FormLimits, budget: { fields: number }): FormField[] {
  const fields: FormField[] = [];
  for (const el of parent.getChildElements()) {
    if (el.name !== "field") continue;
    if (--budget.fields < 0) fail(`more than ${lim.maxFields} fields`);
    fields.push(parseField(el, lim));
  }
  return fields;
}

function parseField(el: Element, lim: FormLimits): FormField {
  const rawType = el.attrs.type;
  const type: FieldType = (FIELD_TYPES as readonly string[]).includes(rawType ?? "")
    ? (rawType as FieldType)
    : "text-single";
  const name = el.attrs.var;
  if (name !== undefined && name.length > lim.maxValueLength) fail("field name too long");
  if (name === undefined && type !== "fixed") fail(`a ${type} field without a var`);
  const values: string[] = [];
  const options: FieldOption[] = [];
  let desc: string | undefined;
  let required = false;
  for (const child of el.getChildElements()) {
    if (child.name === "value") {
      if (values.length >= lim.maxValues) fail(`field ${quote(name)} has too many values`);
      values.push(text(child.text(), lim, name));
    } else if (child.name === "option") {
      if (options.length >= lim.maxOptions) fail(`field ${quote(name)} has too many options`);
      const value = child.getChild("value")?.text();
      if (value === undefined) continue;
      const label = child.attrs.label;
      options.push({
        value: text(value, lim, name),
        label: label === undefined ? undefined : text(label, lim, name),
      });
    } else if (child.name === "desc") desc = text(child.text(), lim, name);
    else if (child.name === "required") required = true;
  }
  const label = el.attrs.label;
  return {
    type,
    var: name,
    label: label === undefined ? undefined : text(label, lim, name),
    desc,
    required: required || undefined,
    values,
    options: options.length > 0 ? options : undefined,
    validate: parseValidation(el, lim.maxRegexLength, lim.maxValueLength),
  };
}

function text(value: string, lim: FormLimits, field?: string): string {
  if (value.length > lim.maxValueLength)
    fail(
      `${field === undefined ? "a text" : `field ${quote(field)}`} is longer than ${lim.maxValueLength} characters`,
    );
  return value;
}

const quote = (name: string | undefined) => JSON.stringify((name ?? "").slice(0, 64));

function fail(message: string): never {
  throw new CommandsError("bad-payload", `malformed data form: ${message}`);
}
