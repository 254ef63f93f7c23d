import { describe, expect, it } from "vitest";
import { fetchRoster, NS_ROSTER } from "./roster.js";
import { type Element, xml } from "./xml.js";

function answering(result: Element) {
  const asked: { child: Element; to: string | undefined }[] = [];
  return {
    asked,
    iq: {
      get: async (child: Element, to?: string) => {
        asked.push({ child, to });
        return result;
      },
    },
  };
}

const roster = (...items: Element[]) =>
  xml("iq", { type: "result" }, xml("query", { xmlns: NS_ROSTER }, ...items));

describe("fetchRoster (RFC 6121 §2.2)", () => {
  it("asks the account's server and returns contacts by normalised bare JID", async () => {
    const { iq, asked } = answering(
      roster(
        xml("item", { jid: "Alice@Example.org", name: "Alice", subscription: "both" }),
        xml("item", { jid: "bob@example.org", subscription: "weird" }),
      ),
    );
    expect(await fetchRoster(iq)).toEqual([
      { jid: "alice@example.org", name: "Alice", subscription: "both" },
      { jid: "bob@example.org", name: undefined, subscription: "none" },
    ]);
    expect(asked[0]?.to).toBeUndefined();
    expect(asked[0]?.child.attrs.xmlns).toBe(NS_ROSTER);
  });

  it("skips invalid, domain-only and full JIDs and stops at the limit", async () => {
    const { iq } = answering(
      roster(
        xml("item", { jid: "not a jid" }),
        xml("item", { jid: "example.org" }),
        xml("item", { jid: "carol@example.org/phone" }),
        xml("item", { jid: "dave@example.org" }),
        xml("item", { jid: "erin@example.org" }),
      ),
    );
    expect((await fetchRoster(iq, { max: 1 })).map((item) => item.jid)).toEqual([
      "dave@example.org",
    ]);
  });

  it("an answer without a query is an empty roster", async () => {
    expect(await fetchRoster(answering(xml("iq", { type: "result" })).iq)).toEqual([]);
  });
});
