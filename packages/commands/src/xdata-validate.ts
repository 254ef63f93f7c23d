/**
 * XEP-0122 data forms validation: the `<validate/>` element of a field (§3,
 * §4) written and read. The checks it describes are in `xdata-checks.ts`.
 */
import { type Element, xml } from "@clawxmpp/core";
import type { FieldValidation, ValidationMethod } from "./form-types.js";
import { NS_DATA_VALIDATE } from "./namespaces.js";

/** Builds the `<validate/>` child of a field. */
export function validateElement(validation: FieldValidation): Element {
  const { datatype, method, listRange } = validation;
  return xml(
    "validate",
    { xmlns: NS_DATA_VALIDATE, datatype },
    method && methodElement(method),
    listRange && xml("list-range", { min: numAttr(listRange.min), max: numAttr(listRange.max) }),
  );
}

function methodElement(method: ValidationMethod): Element {
  if (method.kind === "range") return xml("range", { min: method.min, max: method.max });
  if (method.kind === "regex") return xml("regex", {}, method.pattern);
  return xml(method.kind);
}

const numAttr = (n: number | undefined) => (n === undefined ? undefined : String(n));

/** Reads a field's `<validate/>`; `maxRegexLength` drops over-long patterns. */
export function parseValidation(
  field: Element,
  maxRegexLength: number,
  maxLength: number,
): FieldValidation | undefined {
  const el = field.getChild("validate", NS_DATA_VALIDATE);
  if (!el) return undefined;
  const datatype = short(el.attrs.datatype, maxLength);
  let method: ValidationMethod | undefined;
  for (const child of el.getChildElements()) {
    if (child.name === "basic" || child.name === "open") method = { kind: child.name };
    else if (child.name === "range")
      method = {
        kind: "range",
        min: short(child.attrs.min, maxLength),
        max: short(child.attrs.max, maxLength),
      };
    else if (child.name === "regex") {
      const pattern = child.text();
      if (pattern.length <= maxRegexLength) method = { kind: "regex", pattern };
    }
  }
  const lr = el.getChild("list-range");
  const listRange = lr ? { min: toInt(lr.attrs.min), max: toInt(lr.attrs.max) } : undefined;
  return { datatype, method, listRange };
}

const short = (v: string | undefined, max: number) =>
  v === undefined || v.length > max ? undefined : v;

function toInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,9}$/u.test(value)) return undefined;
  return Number(value);
}
