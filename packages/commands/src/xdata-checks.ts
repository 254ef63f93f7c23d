/**
 * The checks XEP-0122 hints describe: XML Schema datatypes (§3.2, the ones
 * clients use), `range` (§3.3), and `regex` (anchored, length-limited, run
 * only on patterns we wrote ourselves: a peer's regex could be crafted to
 * backtrack forever).
 */
import type { FieldValidation } from "./form-types.js";

/** Outcome of checking one value. */
export type HintProblem = { reason: "datatype" | "range" | "regex"; message: string } | undefined;

const INTEGER_BOUNDS: Record<string, [bigint, bigint] | undefined> = {
  "xs:integer": undefined,
  "xs:long": [-(2n ** 63n), 2n ** 63n - 1n],
  "xs:int": [-(2n ** 31n), 2n ** 31n - 1n],
  "xs:short": [-32768n, 32767n],
  "xs:byte": [-128n, 127n],
  "xs:nonNegativeInteger": [0n, -1n],
  "xs:positiveInteger": [1n, -1n],
  "xs:unsignedInt": [0n, 2n ** 32n - 1n],
};

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/u;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/u;
const DATETIME =
  /^(-?\d{4,})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/u;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/u;
const DOUBLE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/u;
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/u;

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day <= days;
}

/** True when `value` is a lexically valid `datatype`; unknown datatypes accept anything. */
export function matchesDatatype(value: string, datatype: string | undefined): boolean {
  if (datatype === undefined || datatype === "xs:string") return true;
  if (datatype in INTEGER_BOUNDS) {
    if (!/^[+-]?\d{1,40}$/u.test(value)) return false;
    const bounds = INTEGER_BOUNDS[datatype];
    if (!bounds) return true;
    const n = BigInt(value);
    return n >= bounds[0] && (bounds[1] === -1n || n <= bounds[1]);
  }
  switch (datatype) {
    case "xs:boolean":
      return ["0", "1", "true", "false"].includes(value);
    case "xs:decimal":
      return DECIMAL.test(value);
    case "xs:double":
    case "xs:float":
      return DOUBLE.test(value);
    case "xs:date": {
      const m = DATE.exec(value);
      return m !== null && validDate(m[1]!, m[2]!, m[3]!);
    }
    case "xs:dateTime": {
      const m = DATETIME.exec(value);
      return m !== null && validDate(m[1]!, m[2]!, m[3]!);
    }
    case "xs:time":
      return TIME.test(value);
    case "xs:anyURI":
      return !/\s/u.test(value);
    case "xs:language":
      return LANGUAGE.test(value);
    default:
      return true;
  }
}

/** Compares two values of `datatype`; undefined when they cannot be ordered. */
function compare(a: string, b: string, datatype: string | undefined): number | undefined {
  if (datatype !== undefined && datatype in INTEGER_BOUNDS) {
    if (!/^[+-]?\d{1,40}$/u.test(b)) return undefined;
    const d = BigInt(a) - BigInt(b);
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }
  if (datatype === "xs:decimal" || datatype === "xs:double" || datatype === "xs:float") {
    const x = Number(a);
    const y = Number(b);
    return Number.isNaN(x) || Number.isNaN(y) ? undefined : Math.sign(x - y);
  }
  if (datatype === "xs:date" || datatype === "xs:dateTime") {
    const x = Date.parse(a);
    const y = Date.parse(b);
    return Number.isNaN(x) || Number.isNaN(y) ? undefined : Math.sign(x - y);
  }
  if (datatype === "xs:time") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Checks one value against the hints; `trustRegex` allows the pattern to run. */
export function checkHints(
  value: string,
  validation: FieldValidation,
  trustRegex: boolean,
): HintProblem {
  const { datatype, method } = validation;
  if (!matchesDatatype(value, datatype))
    return { reason: "datatype", message: `is not a valid ${datatype}` };
  if (method?.kind === "range") {
    if (method.min !== undefined && (compare(value, method.min, datatype) ?? 0) < 0)
      return { reason: "range", message: `must be at least ${method.min}` };
    if (method.max !== undefined && (compare(value, method.max, datatype) ?? 0) > 0)
      return { reason: "range", message: `must be at most ${method.max}` };
  }
  if (method?.kind === "regex" && trustRegex) {
    const pattern = compileRegex(method.pattern);
    if (pattern && !pattern.test(value))
      return { reason: "regex", message: `does not match ${method.pattern}` };
  }
  return undefined;
}

const regexCache = new Map<string, RegExp | null>();

/** XML Schema patterns are implicitly anchored (XEP-0122 §3.3); invalid ones are ignored. */
function compileRegex(pattern: string): RegExp | undefined {
  let compiled = regexCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(`^(?:${pattern})$`, "u");
    } catch {
      compiled = null;
    }
    if (regexCache.size >= 256) regexCache.clear();
    regexCache.set(pattern, compiled);
  }
  return compiled ?? undefined;
}
