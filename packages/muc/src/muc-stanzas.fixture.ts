/**
 * Stanzas shared by the muc unit tests only (excluded from the build and the package).
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_MUC_USER } from "./namespaces.js";

/**
 * The room's destroy notice (XEP-0045 §10.9, Example 203) as occupant `from` receives it:
 * unavailable, affiliation and role none, the alternate venue coven@chat.shakespeare.lit and
 * the reason "Macbeth doth come.", then a status element per code (110 for our own).
 */
export function destroyNotice(from: string, codes: string[] = []): Element {
  return xml(
    "presence",
    { from, type: "unavailable" },
    xml(
      "x",
      { xmlns: NS_MUC_USER },
      xml("item", { affiliation: "none", role: "none" }),
      xml(
        "destroy",
        { jid: "coven@chat.shakespeare.lit" },
        xml("reason", {}, "Macbeth doth come."),
      ),
      ...codes.map((code) => xml("status", { code })),
    ),
  );
}
