import { type Element, xml } from "@clawxmpp/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CommandsError } from "./commands-error.js";
import {
  booleanField,
  dataForm,
  fixedField,
  hiddenField,
  jidMultiField,
  jidSingleField,
  listMultiField,
  listSingleField,
  resultTable,
  textMultiField,
  textPrivateField,
  textSingleField,
} from "./form-builder.js";
import { formElement } from "./form-element.js";
import { parseForm } from "./form-parse.js";
import type { DataForm } from "./form-types.js";
import { validateSubmission } from "./form-validate.js";
import { fillForm, readValues } from "./form-values.js";
import { NS_DATA, NS_DATA_VALIDATE } from "./namespaces.js";

const everyType = dataForm({
  title: "Setup",
  instructions: "Fill in\nthe form",
  fields: [
    fixedField("Section"),
    hiddenField("token", "t-1"),
    booleanField("enabled", { value: true, label: "Enabled" }),
    jidSingleField("owner", { required: true }),
    jidMultiField("admins"),
    listSingleField("color", ["red", { value: "green", label: "Green" }], { value: "red" }),
    listMultiField("tags", ["a", "b", "c"], { validate: { listRange: { min: 1, max: 2 } } }),
    textMultiField("motd", { value: "line 1\nline 2" }),
    textPrivateField("secret"),
    textSingleField("age", {
      desc: "Years",
      validate: { datatype: "xs:integer", method: { kind: "range", min: "0", max: "150" } },
    }),
  ],
});

function byVarIn(x: Element, name: string): Element | undefined {
  return x.getChildren("field").find((f) => f.attrs.var === name);
}

function submit(fields: Record<string, string[]>): DataForm {
  return {
    type: "submit",
    instructions: [],
    fields: Object.entries(fields).map(([name, values]) => ({
      type: "text-single",
      var: name,
      values,
    })),
  };
}

describe("data forms (XEP-0004)", () => {
  it("round-trips every field type, instructions and validation hints", () => {
    const parsed = parseForm(formElement(everyType));
    expect(parsed.type).toBe("form");
    expect(parsed.title).toBe("Setup");
    expect(parsed.instructions).toEqual(["Fill in", "the form"]);
    expect(parsed.fields.map((f) => f.type)).toEqual(everyType.fields.map((f) => f.type));
    const byVar = Object.fromEntries(parsed.fields.map((f) => [f.var ?? "", f]));
    expect(byVar.owner?.required).toBe(true);
    expect(byVar.enabled?.values).toEqual(["1"]);
    expect(byVar.color?.options).toEqual([{ value: "red" }, { value: "green", label: "Green" }]);
    expect(byVar.motd?.values).toEqual(["line 1", "line 2"]);
    expect(byVar.age?.desc).toBe("Years");
    expect(byVar.age?.validate).toEqual({
      datatype: "xs:integer",
      method: { kind: "range", min: "0", max: "150" },
      listRange: undefined,
    });
    expect(byVar.tags?.validate?.listRange).toEqual({ min: 1, max: 2 });
    const x = formElement(everyType);
    expect(byVarIn(x, "age")?.getChild("validate", NS_DATA_VALIDATE)).toBeDefined();
  });

  it("writes a submit form with names and values only", () => {
    const x = formElement(fillForm(everyType, { owner: "Alice@Example.com" }));
    expect(x.attrs.type).toBe("submit");
    expect(x.getChild("title")).toBeUndefined();
    const owner = byVarIn(x, "owner");
    expect(owner?.getChildText("value")).toBe("Alice@Example.com");
    expect(byVarIn(x, "color")?.getChildren("option")).toHaveLength(0);
    expect(byVarIn(x, "token")?.getChildText("value")).toBe("t-1");
  });

  it("builds and reads a result table (reported + items)", () => {
    const table = resultTable({
      title: "Users",
      columns: [textSingleField("name", { label: "Name" }), jidSingleField("jid")],
      rows: [
        { name: "Alice", jid: "alice@example.com" },
        { name: "Bob", jid: "bob@example.com" },
      ],
    });
    const parsed = parseForm(formElement(table));
    expect(parsed.type).toBe("result");
    expect(parsed.reported?.map((f) => f.var)).toEqual(["name", "jid"]);
    expect(parsed.items?.map((row) => row.map((f) => f.values[0]))).toEqual([
      ["Alice", "alice@example.com"],
      ["Bob", "bob@example.com"],
    ]);
  });

  it("reads typed values and treats an unknown or missing type as text-single (§3.3)", () => {
    const parsed = parseForm(
      xml(
        "x",
        { xmlns: NS_DATA, type: "result" },
        xml("field", { var: "a" }, xml("value", {}, "x")),
        xml("field", { var: "b", type: "weird" }, xml("value", {}, "y")),
        xml("field", { var: "c", type: "boolean" }, xml("value", {}, "true")),
        xml(
          "field",
          { var: "d", type: "list-multi" },
          xml("value", {}, "1"),
          xml("value", {}, "2"),
        ),
      ),
    );
    expect(parsed.fields.map((f) => f.type)).toEqual([
      "text-single",
      "text-single",
      "boolean",
      "list-multi",
    ]);
    expect(readValues(parsed)).toEqual({ a: "x", b: "y", c: true, d: ["1", "2"] });
  });

  it("bounds hostile forms with a clear bad-payload error", () => {
    const many = xml(
      "x",
      { xmlns: NS_DATA, type: "submit" },
      ...Array.from({ length: 300 }, (_, i) => xml("field", { var: `f${i}` })),
    );
    expect(() => parseForm(many)).toThrow(/more than 200 fields/u);
    const values = xml(
      "x",
      { xmlns: NS_DATA, type: "submit" },
      xml("field", { var: "v" }, ...Array.from({ length: 300 }, () => xml("value", {}, "x"))),
    );
    expect(() => parseForm(values)).toThrow(/too many values/u);
    const long = xml(
      "x",
      { xmlns: NS_DATA, type: "submit" },
      xml("field", { var: "v" }, xml("value", {}, "x".repeat(20_000))),
    );
    expect(() => parseForm(long)).toThrow(/longer than 10000/u);
    const noVar = xml("x", { xmlns: NS_DATA, type: "submit" }, xml("field", { type: "boolean" }));
    expect(() => parseForm(noVar)).toThrow(/without a var/u);
    const badType = xml("x", { xmlns: NS_DATA, type: "nonsense" });
    try {
      parseForm(badType);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CommandsError);
      expect((error as CommandsError).condition).toBe("bad-payload");
    }
    expect(() => parseForm(long, { maxValueLength: 30_000 })).not.toThrow();
  });
});

describe("validating a submission", () => {
  const minimal = { owner: ["alice@example.com"], tags: ["a"] };

  it("returns typed, normalised values; hidden fields keep the form's value; left-out fields keep defaults", () => {
    const result = validateSubmission(
      everyType,
      submit({ ...minimal, owner: ["Alice@EXAMPLE.com/res"], token: ["forged"], age: ["42"] }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.values).toEqual({
      token: "t-1",
      enabled: true,
      owner: "alice@example.com/res",
      admins: undefined,
      color: "red",
      tags: ["a"],
      motd: ["line 1", "line 2"],
      secret: undefined,
      age: "42",
    });
    if (result.ok) {
      expectTypeOf(result.values.owner).toEqualTypeOf<string>();
      expectTypeOf(result.values.enabled).toEqualTypeOf<boolean | undefined>();
      expectTypeOf(result.values.tags).toEqualTypeOf<string[] | undefined>();
    }
  });

  it("reports each bad field: required, type, option, JID, datatype, range, list-range", () => {
    const result = validateSubmission(
      everyType,
      submit({
        owner: [],
        enabled: ["maybe"],
        admins: ["ok@example.com", "not a jid@"],
        color: ["blue"],
        tags: ["a", "b", "c"],
        age: ["old"],
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.errors?.map((e) => [e.field, e.reason])).toEqual([
      ["enabled", "type"],
      ["owner", "required"],
      ["admins", "jid"],
      ["color", "option"],
      ["tags", "range"],
      ["age", "datatype"],
    ]);
    expect(result.errors?.[0]?.message).toMatch(/Enabled: "maybe" is not a boolean/u);
    const range = validateSubmission(everyType, submit({ ...minimal, age: ["151"] }));
    expect(range.errors?.[0]?.message).toMatch(/at most 150/u);
  });

  it("refuses several values in a single-valued field and a non-submit form", () => {
    const result = validateSubmission(everyType, submit({ ...minimal, color: ["red", "green"] }));
    expect(result.errors?.[0]).toMatchObject({ field: "color", reason: "type" });
    const wrong = validateSubmission(everyType, { ...submit(minimal), type: "result" });
    expect(wrong.errors?.[0]?.message).toMatch(/expected a submit form/u);
  });

  it("checks XEP-0122 datatypes and anchored regexes, but only trusted regexes run", () => {
    const form = dataForm({
      fields: [
        textSingleField("day", { validate: { datatype: "xs:date" } }),
        textSingleField("code", { validate: { method: { kind: "regex", pattern: "[A-Z]{3}" } } }),
        listSingleField("free", ["x"], { validate: { method: { kind: "open" } } }),
        booleanField("flag", { validate: { datatype: "xs:boolean" } }),
      ],
    });
    expect(validateSubmission(form, submit({ day: ["2026-02-29"] })).errors?.[0]?.reason).toBe(
      "datatype",
    );
    expect(validateSubmission(form, submit({ day: ["2028-02-29"] })).ok).toBe(true);
    expect(validateSubmission(form, submit({ code: ["ABCD"] })).errors?.[0]?.reason).toBe("regex");
    expect(validateSubmission(form, submit({ code: ["ABCD"] }), { trustRegex: false }).ok).toBe(
      true,
    );
    expect(validateSubmission(form, submit({ free: ["anything"] })).ok).toBe(true);
  });
});
