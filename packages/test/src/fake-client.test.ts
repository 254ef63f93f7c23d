import type { Client } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { FAKE_CLIENT_JID, fakeClient, fakeClock } from "./index.js";

describe("fakeClient", () => {
  let fromEarlierTest: Client | undefined;

  it("logs in on its own fake server as the default account, and sends no keepalive pings", async () => {
    const clock = fakeClock();
    const { server, client } = fakeClient({ clock });
    fromEarlierTest = client;
    const online = await client.start();
    expect(online.jid).toBe(`${FAKE_CLIENT_JID}/fake`);
    expect(server.opens).toHaveLength(1);
    expect(client.status).toBe("online");
    await clock.advanceAsync(60 * 60_000);
    expect(server.sent.filter((e) => e.getChild("ping", "urn:xmpp:ping"))).toEqual([]);
  });

  it("has stopped the client of the test before", () => {
    expect(fromEarlierTest?.status).toBe("stopped");
  });

  it("passes client options and the fake server's options through", async () => {
    const carol = fakeClient({ jid: "carol@example.test" });
    expect((await carol.client.start()).jid).toBe("carol@example.test/fake");
    const bound = fakeClient({ fakeServer: { jid: `${FAKE_CLIENT_JID}/desk` } });
    expect((await bound.client.start()).jid).toBe(`${FAKE_CLIENT_JID}/desk`);
  });
});
