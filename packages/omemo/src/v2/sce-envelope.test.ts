import { type Element, xml } from "@clawxmpp/core";
import { describe, expect, it } from "vitest";
import { refusal } from "../../test/refusal.js";
import { buildEnvelope, NS_SCE, parseEnvelope } from "./sce-envelope.js";

const body = () => xml("body", { xmlns: "jabber:client" }, "hello");
const reaction = () =>
  xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: "m1" }, xml("reaction", {}, "👍"));
const NOW = Date.parse("2026-12-01T12:00:00Z");

function envelope(affixes: {
  from?: string;
  to?: string;
  time?: string;
  rpad?: string | false;
}): Element {
  return xml(
    "envelope",
    { xmlns: NS_SCE },
    xml("content", {}, body()),
    affixes.rpad === false ? null : xml("rpad", {}, affixes.rpad ?? "pad"),
    affixes.time === undefined ? null : xml("time", { stamp: affixes.time }),
    affixes.to === undefined ? null : xml("to", { jid: affixes.to }),
    affixes.from === undefined ? null : xml("from", { jid: affixes.from }),
  );
}

describe("SCE envelopes (XEP-0420, OMEMO 2 profile)", () => {
  it("round-trips content with all four affixes", () => {
    const time = new Date(NOW - 1000);
    const built = buildEnvelope({
      content: [body(), reaction()],
      from: "bot@example.org/x",
      to: "alice@example.org",
      time,
    });
    const text = built.toString();
    expect(text).toContain("<rpad>");
    const opened = parseEnvelope(built, {
      from: "bot@example.org/x",
      to: "alice@example.org/phone",
      now: NOW,
    });
    expect(opened.content.map((child) => child.toString())).toEqual([
      body().toString(),
      reaction().toString(),
    ]);
    expect(opened).toMatchObject({ from: "bot@example.org/x", to: "alice@example.org", time });
  });

  it("pads with a random length", () => {
    const lengths = new Set(
      Array.from(
        { length: 20 },
        () =>
          buildEnvelope({ content: [], from: "a@b", to: "c@d" }).getChildText("rpad", NS_SCE)
            ?.length,
      ),
    );
    expect(lengths.size).toBeGreaterThan(3);
  });

  it("checks from and to against the stanza (bare affixes match any resource)", () => {
    const expectations = { from: "alice@example.org/phone", to: "bot@example.org/x", now: NOW };
    expect(
      refusal(() =>
        parseEnvelope(envelope({ from: "alice@example.org", to: "bot@example.org" }), expectations),
      ),
    ).toBe("accepted");
    expect(
      refusal(() =>
        parseEnvelope(
          envelope({ from: "mallory@example.org", to: "bot@example.org" }),
          expectations,
        ),
      ),
    ).toMatch(/^untrusted: .*<from>/);
    expect(
      refusal(() =>
        parseEnvelope(
          envelope({ from: "alice@example.org/laptop", to: "bot@example.org" }),
          expectations,
        ),
      ),
    ).toMatch(/^untrusted/);
    expect(
      refusal(() =>
        parseEnvelope(
          envelope({ from: "alice@example.org", to: "room@muc.example.org" }),
          expectations,
        ),
      ),
    ).toMatch(/^untrusted: .*<to>/);
    expect(
      refusal(() => parseEnvelope(envelope({ from: "alice@example.org" }), expectations)),
    ).toMatch(/no <to>/);
    expect(
      refusal(() =>
        parseEnvelope(envelope({ from: "alice@example.org" }), {
          ...expectations,
          requireTo: false,
        }),
      ),
    ).toBe("accepted");
  });

  it("requires rpad and from, and refuses duplicates, bad JIDs, bad or future times", () => {
    const ok = { from: "alice@example.org", to: "bot@example.org" };
    const expectations = { ...ok, now: NOW };
    expect(refusal(() => parseEnvelope(envelope({ ...ok, rpad: false }), expectations))).toMatch(
      /no <rpad>/,
    );
    expect(refusal(() => parseEnvelope(envelope({ to: ok.to }), expectations))).toMatch(
      /no <from>/,
    );
    expect(refusal(() => parseEnvelope(envelope({ ...ok, from: "@@" }), expectations))).toMatch(
      /not a JID/,
    );
    expect(
      refusal(() => parseEnvelope(envelope({ ...ok, time: "yesterday" }), expectations)),
    ).toMatch(/not a date-time/);
    expect(
      refusal(() => parseEnvelope(envelope({ ...ok, time: "2026-12-03T12:00:00Z" }), expectations)),
    ).toMatch(/future/);
    expect(
      refusal(() =>
        parseEnvelope(envelope({ ...ok, time: "2026-12-01T13:00:00+02:00" }), expectations),
      ),
    ).toBe("accepted");
    const twice = envelope(ok);
    twice.append(xml("from", { jid: ok.from }));
    expect(refusal(() => parseEnvelope(twice, expectations))).toMatch(/2 <from>/);
    expect(
      refusal(() => parseEnvelope(envelope({ ...ok, rpad: "x".repeat(2000) }), expectations)),
    ).toMatch(/^too-large/);
    expect(
      refusal(() => parseEnvelope(xml("envelope", { xmlns: "urn:xmpp:sce:0" }), expectations)),
    ).toMatch(/expected <envelope/);
  });
});
