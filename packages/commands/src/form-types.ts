/**
 * The XEP-0004 data form model (§3): a form of one of four types holding
 * fields of ten types, plus the `reported`/`item` table of result forms
 * (§3.4), and the XEP-0122 validation hints a field may carry.
 */

/** XEP-0004 §3.3 field types. */
export const FIELD_TYPES = [
  "boolean",
  "fixed",
  "hidden",
  "jid-multi",
  "jid-single",
  "list-multi",
  "list-single",
  "text-multi",
  "text-private",
  "text-single",
] as const;

/** A field type. */
export type FieldType = (typeof FIELD_TYPES)[number];

/** XEP-0004 §3.1 form types. */
export const FORM_TYPES = ["form", "submit", "cancel", "result"] as const;

/** A form type. */
export type FormType = (typeof FORM_TYPES)[number];

/** Field types whose value is a list of strings. */
export const MULTI_TYPES: ReadonlySet<FieldType> = new Set([
  "jid-multi",
  "list-multi",
  "text-multi",
]);

/** An option of a list field (§3.3). */
export interface FieldOption {
  /** The value submitted when the option is chosen. */
  value: string;
  /** What the user sees; the value when absent. */
  label?: string | undefined;
}

/** XEP-0122 §3 validation method. */
export type ValidationMethod =
  | { kind: "basic" }
  | { kind: "open" }
  | { kind: "range"; min?: string | undefined; max?: string | undefined }
  | { kind: "regex"; pattern: string };

/** XEP-0122 validation hints of one field. */
export interface FieldValidation {
  /** XML Schema datatype such as `xs:integer`, `xs:boolean`, `xs:date`. @default "xs:string" */
  datatype?: string | undefined;
  /** How values are checked; `basic` (one of the options, or any value of the datatype) when absent. */
  method?: ValidationMethod | undefined;
  /** For multi-valued fields: how many values may be selected (XEP-0122 §4). */
  listRange?: { min?: number | undefined; max?: number | undefined } | undefined;
}

/** One field (§3.3). Values are the raw strings; typed views come from {@link readValues}. */
export interface FormField<T extends FieldType = FieldType, V extends string = string> {
  type: T;
  /** The field's name; absent only on `fixed` fields. */
  var?: V | undefined;
  label?: string | undefined;
  /** A longer description (the `<desc/>` child). */
  desc?: string | undefined;
  required?: boolean | undefined;
  /** Raw values: the default in a `form`, the answer in a `submit`, the data in a `result`. */
  values: string[];
  /** Options of list fields. */
  options?: FieldOption[] | undefined;
  /** XEP-0122 validation hints. */
  validate?: FieldValidation | undefined;
}

/** A data form (§3.1). */
export interface DataForm {
  type: FormType;
  title?: string | undefined;
  /** Instruction lines (§3.2), one element each. */
  instructions: string[];
  fields: readonly FormField[];
  /** Column headers of a multi-item result (§3.4). */
  reported?: readonly FormField[] | undefined;
  /** Rows of a multi-item result; each row lists fields by `var`. */
  items?: readonly (readonly FormField[])[] | undefined;
}

/** The typed value of a field type: booleans, string lists for `*-multi`, strings otherwise. */
export type FieldValue<T extends FieldType> = T extends "boolean"
  ? boolean
  : T extends "jid-multi" | "list-multi" | "text-multi"
    ? string[]
    : string;

/** Any typed field value. */
export type AnyFieldValue = string | string[] | boolean;

/**
 * Typed values of a form's fields, keyed by `var`: required fields are always
 * present, others may be `undefined`; `fixed` fields carry no value.
 */
export type FormValues<Fields extends readonly FormField[]> = {
  [F in Fields[number] as F extends { type: "fixed" }
    ? never
    : F extends { var?: infer V extends string }
      ? string extends V
        ? never
        : V
      : never]: F extends { required: true; type: infer T extends FieldType }
    ? FieldValue<T>
    : F extends { type: infer T extends FieldType }
      ? FieldValue<T> | undefined
      : never;
};

/** Values of a form whose field names are not known statically. */
export type LooseFormValues = Record<string, AnyFieldValue | undefined>;
