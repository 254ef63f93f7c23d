/**
 * A typed builder for XEP-0004 forms (§3): one function per field type, so
 * `dataForm({ fields: [textSingle("name", { required: true })] })` knows at
 * compile time that the submitted `name` is a string.
 */
import type {
  DataForm,
  FieldOption,
  FieldType,
  FieldValidation,
  FormField,
  FormType,
} from "./form-types.js";

/** What every field builder accepts. */
export interface FieldInit<R extends boolean = boolean> {
  label?: string;
  desc?: string;
  /** The user must answer (§3.3 `<required/>`). */
  required?: R;
  /** XEP-0122 validation hints. */
  validate?: FieldValidation;
}

/** A field as returned by the builders: its type, name and required flag are literal types. */
export type BuiltField<T extends FieldType, V extends string, R extends boolean> = FormField<
  T,
  V
> & {
  type: T;
  var: V;
  required: R;
};

function build<T extends FieldType, V extends string, R extends boolean>(
  type: T,
  name: V,
  init: FieldInit<R>,
  values: string[],
  options?: FieldOption[],
): BuiltField<T, V, R> {
  return {
    type,
    var: name,
    label: init.label,
    desc: init.desc,
    required: (init.required ?? false) as R,
    values,
    options,
    validate: init.validate,
  };
}

const one = (value: string | undefined): string[] => (value === undefined ? [] : [value]);
const toOptions = (options: readonly (string | FieldOption)[]): FieldOption[] =>
  options.map((o) => (typeof o === "string" ? { value: o } : { value: o.value, label: o.label }));

/** A yes/no field; submitted as `1`/`0`, read back as a boolean. */
export function booleanField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { value?: boolean } = {},
): BuiltField<"boolean", V, R> {
  return build("boolean", name, init, init.value === undefined ? [] : [init.value ? "1" : "0"]);
}

/** Static text shown between fields (no value is submitted). */
export function fixedField(text: string, init: { var?: string } = {}): FormField<"fixed"> {
  return { type: "fixed", var: init.var, values: text.split("\n") };
}

/** A value carried through the form unseen; the command side keeps its own copy. */
export function hiddenField<const V extends string>(
  name: V,
  value: string,
): BuiltField<"hidden", V, false> {
  return build("hidden", name, {}, [value]);
}

/** One JID. */
export function jidSingleField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { value?: string } = {},
): BuiltField<"jid-single", V, R> {
  return build("jid-single", name, init, one(init.value));
}

/** Several JIDs. */
export function jidMultiField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { values?: string[] } = {},
): BuiltField<"jid-multi", V, R> {
  return build("jid-multi", name, init, [...(init.values ?? [])]);
}

/** One choice among `options`. */
export function listSingleField<const V extends string, R extends boolean = false>(
  name: V,
  options: readonly (string | FieldOption)[],
  init: FieldInit<R> & { value?: string } = {},
): BuiltField<"list-single", V, R> {
  return build("list-single", name, init, one(init.value), toOptions(options));
}

/** Any number of choices among `options`. */
export function listMultiField<const V extends string, R extends boolean = false>(
  name: V,
  options: readonly (string | FieldOption)[],
  init: FieldInit<R> & { values?: string[] } = {},
): BuiltField<"list-multi", V, R> {
  return build("list-multi", name, init, [...(init.values ?? [])], toOptions(options));
}

/** One line of text. */
export function textSingleField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { value?: string } = {},
): BuiltField<"text-single", V, R> {
  return build("text-single", name, init, one(init.value));
}

/** A secret (password) line; clients mask it. */
export function textPrivateField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { value?: string } = {},
): BuiltField<"text-private", V, R> {
  return build("text-private", name, init, one(init.value));
}

/** Several lines of text; each line is one `<value/>` (§3.3). */
export function textMultiField<const V extends string, R extends boolean = false>(
  name: V,
  init: FieldInit<R> & { value?: string } = {},
): BuiltField<"text-multi", V, R> {
  return build("text-multi", name, init, init.value === undefined ? [] : init.value.split("\n"));
}

/** A form whose field list keeps its literal types. */
export type TypedForm<F extends readonly FormField[]> = DataForm & { fields: F };

/** Builds a form (type `form` unless given). */
export function dataForm<const F extends readonly FormField[]>(init: {
  fields: F;
  type?: FormType;
  title?: string;
  instructions?: string | readonly string[];
}): TypedForm<F> {
  const instructions = init.instructions;
  return {
    type: init.type ?? "form",
    title: init.title,
    instructions:
      instructions === undefined
        ? []
        : typeof instructions === "string"
          ? instructions.split("\n")
          : [...instructions],
    fields: init.fields,
  };
}

/** A result table (§3.4): `columns` become `<reported/>`, each row an `<item/>`. */
export function resultTable(init: {
  columns: readonly FormField[];
  rows: readonly Record<string, string | readonly string[]>[];
  title?: string;
  instructions?: string | readonly string[];
  fields?: readonly FormField[];
}): DataForm {
  const form = dataForm({ ...init, type: "result", fields: init.fields ?? [] });
  const columns = init.columns.filter((c) => c.var !== undefined);
  return {
    ...form,
    reported: columns.map((c) => ({ ...c, values: [] })),
    items: init.rows.map((row) =>
      columns.map((c) => {
        const cell = row[c.var as string];
        const values = cell === undefined ? [] : typeof cell === "string" ? [cell] : [...cell];
        return { type: c.type, var: c.var, values };
      }),
    ),
  };
}
