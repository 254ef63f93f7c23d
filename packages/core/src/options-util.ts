/**
 * Parsing options with zod so a bad value produces one readable error naming
 * every offending field and what is expected, instead of a crash later.
 */
import type { z } from "zod";
import { ConfigError } from "./errors.js";

/**
 * Parses `input` with `schema`; throws a {@link ConfigError} whose message lists
 * each bad field as `label.path: problem`.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  label: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return { field: path ? `${label}.${path}` : label, message: issue.message };
  });
  const lines = issues.map((issue) => `  - ${issue.field}: ${issue.message}`).join("\n");
  throw new ConfigError(`invalid ${label}:\n${lines}`, issues);
}
