/**
 * The README's usage example, compiled by `tsc -b` and run here; a test
 * checks the README shows exactly this code, so the example cannot rot.
 */
import { readFileSync } from "node:fs";
import { createClient } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import {
  booleanField,
  commands,
  completed,
  dataForm,
  executing,
  textSingleField,
} from "./index.js";

function example() {
  // #region readme
  const client = createClient({ jid: "bot@example.org", password: "…" });
  const cmds = client.use(commands, {
    // Who may see and run commands that have no rule of their own.
    allowed: (requester) => requester.bare === "owner@example.org",
  });

  const greet = dataForm({
    title: "Greeting",
    fields: [
      textSingleField("name", { label: "Name", required: true }),
      booleanField("shout", { label: "Shout?" }),
    ],
  });

  cmds.add({
    node: "greet",
    name: "Say hello",
    run(request) {
      if (request.stage === 0) return executing(greet); // show the form
      const { name, shout } = request.valuesOf(greet); // name: string, shout: boolean | undefined
      return completed(shout ? `HELLO ${name.toUpperCase()}!` : `Hello ${name}`);
    },
  });

  // The other side: run another entity's commands.
  async function runGreet(peer: string) {
    const list = await cmds.list(peer); // [{ jid, node, name }]
    if (!list.some((c) => c.node === "greet")) return;
    const stage = await cmds.execute(peer, "greet"); // stage.form is the form to fill in
    const done = await cmds.complete(stage, { name: "Ann" }); // validated locally, then sent
    console.log(done.status, done.notes); // "completed" [{ type: "info", text: "Hello Ann" }]
  }
  // #endregion readme
  return { client, cmds, runGreet };
}

describe("README example", () => {
  it("is the code the README shows", () => {
    const source = readFileSync(new URL("./readme-example.test.ts", import.meta.url), "utf8");
    const region = /\/\/ #region readme\n([\s\S]*?)\n\s*\/\/ #endregion readme/u.exec(source)?.[1];
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const dedented = region?.replace(/^ {2}/gmu, "");
    expect(dedented).toBeTruthy();
    expect(readme).toContain(dedented);
  });

  it("runs", async () => {
    const { client, cmds } = example();
    expect(cmds.openSessions()).toBe(0);
    await client.stop();
  });
});
