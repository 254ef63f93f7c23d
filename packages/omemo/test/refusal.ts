/** Test helper: runs `run` and returns `"<condition>: <message>"` of the OmemoError it throws, or `"accepted"`. */
import { expect } from "vitest";
import { OmemoError } from "../src/omemo-error.js";

export function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OmemoError);
    return `${(error as OmemoError).condition}: ${(error as OmemoError).message}`;
  }
  return "accepted";
}
