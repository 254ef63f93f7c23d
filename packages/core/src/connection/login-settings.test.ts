/**
 * XEP-0386 Bind2 by default only with XEP-0313 archive catch-up: ejabberd deletes the offline
 * messages of an archiving account on a Bind2 login, leaving them to the archive.
 */
import { describe, expect, it } from "vitest";
import { clientOptionsSchema } from "../options.js";
import { loginSettings } from "./login-settings.js";

const base = { jid: "bot@example.org", password: "secret" };

describe("loginSettings bind2", () => {
  it("declines Bind2 when the client does not catch up from the archive", () => {
    expect(loginSettings(clientOptionsSchema.parse(base)).bind2).toBe(false);
  });

  it("uses Bind2 when the client catches up from the archive", () => {
    const options = clientOptionsSchema.parse({ ...base, archive: { catchUp: true } });
    expect(loginSettings(options).bind2).toBe(true);
  });

  it("follows an explicit choice either way", () => {
    const on = clientOptionsSchema.parse({ ...base, login: { bind2: true } });
    const off = clientOptionsSchema.parse({
      ...base,
      archive: { catchUp: true },
      login: { bind2: false },
    });
    expect(loginSettings(on).bind2).toBe(true);
    expect(loginSettings(off).bind2).toBe(false);
  });
});
