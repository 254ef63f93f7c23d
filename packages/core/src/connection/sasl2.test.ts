import { pbkdf2Sync } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../client.js";
import { type Element, xml } from "../xml.js";
import type { FastTokenStore } from "./fast.js";
import type { MechanismSession } from "./sasl.js";
import {
  authenticateElement,
  NS_SASL2,
  parseSasl2Offer,
  sasl2Authenticate,
  wantedUpgrades,
} from "./sasl2.js";

const SM = "urn:xmpp:sm:3";

/** ejabberd 24.12's SASL2 feature, trimmed. */
const features = xml(
  "features",
  {},
  xml(
    "authentication",
    { xmlns: NS_SASL2 },
    xml("mechanism", {}, "SCRAM-SHA-256-PLUS"),
    xml("mechanism", {}, "SCRAM-SHA-256"),
    xml("upgrade", { xmlns: "urn:xmpp:sasl:upgrade:0" }, "UPGR-SCRAM-SHA-512"),
    xml(
      "inline",
      {},
      xml(
        "bind",
        { xmlns: "urn:xmpp:bind:0" },
        xml("inline", {}, xml("feature", { var: "urn:xmpp:carbons:2" })),
      ),
      xml("sm", { xmlns: SM }),
      xml("fast", { xmlns: "urn:xmpp:fast:0" }, xml("mechanism", {}, "HT-SHA-256-NONE")),
    ),
  ),
);

function stubMechanism(): MechanismSession & { finished: (Buffer | undefined)[] } {
  const finished: (Buffer | undefined)[] = [];
  return {
    name: "SCRAM-SHA-256",
    channelBinding: undefined,
    finished,
    initial: () => Buffer.from("first"),
    respond: async (challenge) => Buffer.concat([Buffer.from("re:"), challenge]),
    finish: (data) => {
      finished.push(data);
    },
  };
}

/** A scripted server: `answer` gives the reply to each element sent. */
function scripted(answer: (sent: Element, index: number) => Element | undefined) {
  const sent: Element[] = [];
  const queue: Element[] = [];
  let waiting: ((el: Element) => void) | undefined;
  return {
    sent,
    io: {
      next: () =>
        new Promise<Element>((resolve) => {
          const queued = queue.shift();
          if (queued) resolve(queued);
          else waiting = resolve;
        }),
      send: async (el: Element) => {
        sent.push(el);
        const reply = answer(el, sent.length - 1);
        if (!reply) return;
        if (waiting) {
          const w = waiting;
          waiting = undefined;
          w(reply);
        } else queue.push(reply);
      },
    },
  };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const request = (mechanism: MechanismSession) => ({
  mechanism,
  userAgent: { id: "d4b3c1a0-0000-4000-8000-000000000001", software: "clawxmpp" },
});

describe("SASL2 offer", () => {
  it("reads mechanisms, inline Bind2 features, SM, FAST and upgrades", () => {
    expect(parseSasl2Offer(features)).toEqual({
      mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"],
      bind2: { features: ["urn:xmpp:carbons:2"] },
      sm: true,
      fast: { mechanisms: ["HT-SHA-256-NONE"] },
      upgrades: ["UPGR-SCRAM-SHA-512"],
    });
    expect(parseSasl2Offer(xml("features", {}))).toBeUndefined();
    // A feature without mechanisms is unusable, not an error.
    expect(parseSasl2Offer(xml("features", {}, xml("authentication", { xmlns: NS_SASL2 })))).toBe(
      undefined,
    );
    expect(
      wantedUpgrades(["UPGR-SCRAM-SHA-512", "UPGR-SCRAM-SHA-256", "UPGR-X"], "SCRAM-SHA-256-PLUS"),
    ).toEqual(["UPGR-SCRAM-SHA-512"]);
  });

  it("puts the user agent, token request, resume and Bind2 into <authenticate>", () => {
    const el = authenticateElement({
      ...request(stubMechanism()),
      requestToken: "HT-SHA-256-NONE",
      resume: { id: "prev", h: 7 },
      bind: { tag: "bot", enableSm: true, carbons: true },
    });
    expect(el.attrs.mechanism).toBe("SCRAM-SHA-256");
    expect(el.getChildText("initial-response")).toBe(b64("first"));
    expect(el.getChild("user-agent")?.attrs.id).toBe("d4b3c1a0-0000-4000-8000-000000000001");
    expect(el.getChild("request-token", "urn:xmpp:fast:0")?.attrs.mechanism).toBe(
      "HT-SHA-256-NONE",
    );
    expect(el.getChild("resume", SM)?.attrs).toMatchObject({ previd: "prev", h: "7" });
    const bind = el.getChild("bind", "urn:xmpp:bind:0");
    expect(bind?.getChildText("tag")).toBe("bot");
    expect(bind?.getChildren("enable").map((e) => e.attrs.xmlns)).toEqual([
      SM,
      "urn:xmpp:carbons:2",
    ]);
  });
});

describe("SASL2 exchange", () => {
  it("answers the challenge, checks the final data, and reads what success carried", async () => {
    const mechanism = stubMechanism();
    const server = scripted((_, i) =>
      i === 0
        ? xml("challenge", { xmlns: NS_SASL2 }, b64("server-first"))
        : xml(
            "success",
            { xmlns: NS_SASL2 },
            xml("additional-data", {}, b64("v=final")),
            xml("authorization-identifier", {}, "bot@example.org/bot~abc"),
            xml(
              "bound",
              { xmlns: "urn:xmpp:bind:0" },
              xml("enabled", { xmlns: SM, id: "sm1", resume: "true" }),
            ),
            xml("token", {
              xmlns: "urn:xmpp:fast:0",
              token: "secret",
              expiry: "2030-01-01T00:00:00Z",
            }),
          ),
    );
    const outcome = await sasl2Authenticate(request(mechanism), server.io);
    expect(server.sent[1]?.name).toBe("response");
    expect(Buffer.from(server.sent[1]?.text() ?? "", "base64").toString()).toBe("re:server-first");
    expect(mechanism.finished.map((d) => d?.toString())).toEqual(["v=final"]);
    expect(outcome.jid).toBe("bot@example.org/bot~abc");
    expect(outcome.smEnable?.attrs.id).toBe("sm1");
    expect(outcome.token).toEqual({ token: "secret", expiry: "2030-01-01T00:00:00Z" });
    expect(outcome.carbons).toBe(false);
  });

  it("turns <failure> into an AuthError with the server's condition", async () => {
    const server = scripted(() =>
      xml(
        "failure",
        { xmlns: NS_SASL2 },
        xml("credentials-expired", { xmlns: "urn:ietf:params:xml:ns:xmpp-sasl" }),
        xml("text", {}, "token expired"),
      ),
    );
    await expect(sasl2Authenticate(request(stubMechanism()), server.io)).rejects.toMatchObject({
      condition: "credentials-expired",
      terminal: true,
    });
  });

  it("refuses garbage: unknown elements, endless challenges, tasks it cannot run", async () => {
    const banana = scripted(() => xml("banana", { xmlns: NS_SASL2 }));
    await expect(sasl2Authenticate(request(stubMechanism()), banana.io)).rejects.toMatchObject({
      condition: "malformed-request",
    });
    const endless = scripted(() => xml("challenge", { xmlns: NS_SASL2 }, b64("again")));
    await expect(sasl2Authenticate(request(stubMechanism()), endless.io)).rejects.toMatchObject({
      condition: "malformed-request",
    });
    const task = scripted((sent) =>
      sent.name === "authenticate"
        ? xml("continue", { xmlns: NS_SASL2 }, xml("tasks", {}, xml("task", {}, "HOTP-EXAMPLE")))
        : undefined,
    );
    await expect(sasl2Authenticate(request(stubMechanism()), task.io)).rejects.toMatchObject({
      condition: "unsupported-task",
    });
    expect(task.sent.at(-1)?.name).toBe("abort");
  });

  it("runs an XEP-0480 SCRAM upgrade task with the salted password", async () => {
    const salt = Buffer.from("salty");
    const server = scripted((sent) => {
      if (sent.name === "authenticate")
        return xml(
          "continue",
          { xmlns: NS_SASL2 },
          xml("additional-data", {}, b64("v=final")),
          xml("tasks", {}, xml("task", {}, "UPGR-SCRAM-SHA-512")),
        );
      if (sent.name === "next")
        return xml(
          "task-data",
          { xmlns: NS_SASL2 },
          xml(
            "salt",
            { xmlns: "urn:xmpp:scram-upgrade:0", iterations: "4096" },
            salt.toString("base64"),
          ),
        );
      return xml(
        "success",
        { xmlns: NS_SASL2 },
        xml("authorization-identifier", {}, "bot@example.org"),
      );
    });
    const mechanism = stubMechanism();
    const outcome = await sasl2Authenticate(
      { ...request(mechanism), upgrades: { tasks: ["UPGR-SCRAM-SHA-512"], password: "pencil" } },
      server.io,
    );
    expect(outcome.tasks).toEqual(["UPGR-SCRAM-SHA-512"]);
    expect(mechanism.finished).toHaveLength(1);
    expect(server.sent[1]?.attrs.task).toBe("UPGR-SCRAM-SHA-512");
    const hash = server.sent[2]?.getChild("hash", "urn:xmpp:scram-upgrade:0")?.text();
    expect(hash).toBe(pbkdf2Sync("pencil", salt, 4096, 64, "sha512").toString("base64"));
  });
});

/** A fake server on a loopback socket that offers SASL2 and then misbehaves. */
describe("a server that offers SASL2 but answers garbage", () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  const authenticates: string[] = [];
  async function cleanup(): Promise<void> {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  }
  afterEach(cleanup);

  async function misbehaving(reply: string | undefined): Promise<number> {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => {});
      socket.on("data", (data) => {
        const text = data.toString();
        if (text.includes("<stream:stream")) {
          socket.write(
            `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='localhost' version='1.0'><stream:features><authentication xmlns='${NS_SASL2}'><mechanism>SCRAM-SHA-1</mechanism><inline><fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication></stream:features>`,
          );
        } else if (text.includes("<authenticate") && reply !== undefined) {
          authenticates.push(text);
          socket.write(reply);
        }
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || !address) throw new Error("no port");
    return address.port;
  }

  async function login(reply: string | undefined, store?: FastTokenStore): Promise<unknown> {
    const port = await misbehaving(reply);
    const client = createClient({
      ...(store ? { login: { fast: { store } } } : {}),
      jid: "bot@localhost",
      password: "pw",
      server: "127.0.0.1",
      port,
      tls: { mode: "none", allowPlaintextOnLoopback: true },
      timeouts: { auth: 300 },
      reconnect: { enabled: false },
    });
    const error = await client.start().catch((e: unknown) => e);
    await client.stop();
    return error;
  }

  it("an unknown SASL2 element: malformed-request", async () => {
    expect(await login(`<banana xmlns='${NS_SASL2}'/>`)).toMatchObject({
      code: "auth",
      condition: "malformed-request",
    });
  });

  it("success without the SCRAM exchange: refused (no mutual authentication)", async () => {
    expect(await login(`<success xmlns='${NS_SASL2}'/>`)).toMatchObject({
      condition: "malformed-request",
      message: /skipped the SCRAM challenge/u,
    });
  });

  it("a challenge that is not SCRAM: refused", async () => {
    expect(await login(`<challenge xmlns='${NS_SASL2}'>!!!garbage</challenge>`)).toMatchObject({
      code: "auth",
    });
  });

  it("bytes that are not XML: an error, not a crash", async () => {
    const error = await login("<<<&&&>>>");
    expect(error).toBeInstanceOf(Error);
  });

  it("silence: the auth timeout", async () => {
    expect(await login(undefined)).toMatchObject({ code: "timeout", step: "auth" });
  });

  it("a token store that throws or holds garbage: cleared, and the password is used", async () => {
    for (const load of [
      async () => {
        throw new Error("disk on fire");
      },
      async () => ({ mechanism: "HT-SHA-256-NONE", token: 42 }) as never,
    ]) {
      let cleared = 0;
      const store: FastTokenStore = {
        load,
        save: async () => {},
        clear: async () => {
          cleared++;
        },
      };
      authenticates.length = 0;
      const error = await login(`<failure xmlns='${NS_SASL2}'><not-authorized/></failure>`, store);
      expect(error).toMatchObject({ condition: "not-authorized" });
      expect(cleared).toBe(1);
      expect(authenticates[0]).toContain('mechanism="SCRAM-SHA-1"');
      await cleanup();
    }
  });
});
