import type { InboundMessage } from "@clawxmpp/core";
import { NS_CORRECTION, NS_RETRACT } from "@clawxmpp/markers";
import { describe, expect, it } from "vitest";
import { handleXmppAction, xmppActions } from "./actions.js";
import { MessageIdMap } from "./message-ids.js";
import { trackOwnRoomStanzaIds } from "./room-own-ids.js";
import { ALICE, BOT, liveBot, ROOM } from "./test-harness.fixture.js";

/** The bot live as account `default`, configured with `actions` (and `extra`). */
const live = (
  actions: Record<string, boolean>,
  extra: Record<string, unknown> = {},
  ids?: MessageIdMap,
) => liveBot({ actions, ...extra }, { session: { ids } });

describe("edit and delete actions", () => {
  it("are offered only when configured", () => {
    const cfg = (actions: Record<string, boolean>) => ({
      channels: { xmpp: { jid: BOT, actions } },
    });
    expect(xmppActions.describeMessageTool({ cfg: cfg({}) })).toBeNull();
    expect(xmppActions.describeMessageTool({ cfg: cfg({ edit: true }) })).toEqual({
      actions: ["edit"],
    });
    expect(
      xmppActions.describeMessageTool({ cfg: cfg({ reactions: true, delete: true }) }),
    ).toEqual({ actions: ["react", "delete", "unsend"] });
    expect(xmppActions.supportsAction({ action: "unsend" })).toBe(true);
  });

  it("edit sends an XEP-0308 correction of the agent's message", async () => {
    const { server, cfg } = await live({ edit: true });
    const result = await handleXmppAction({
      action: "edit",
      cfg,
      params: { target: ALICE, messageId: "bot-msg-1", message: "fixed text" },
    });
    expect(result.details).toMatchObject({ ok: true, to: ALICE, messageId: "bot-msg-1" });
    const sent = server.sent.find((e) => e.getChild("replace", NS_CORRECTION));
    expect(sent?.attrs).toMatchObject({ to: ALICE, type: "chat" });
    expect(sent!.getChild("replace", NS_CORRECTION)!.attrs.id).toBe("bot-msg-1");
    expect(sent!.getChildText("body")).toBe("fixed text");
  });

  it("delete and unsend send an XEP-0424 retraction; in a room as groupchat", async () => {
    const { server, cfg } = await live({ delete: true }, { groups: [ROOM] });
    await handleXmppAction({ action: "delete", cfg, params: { to: ALICE, messageId: "m-1" } });
    await handleXmppAction({ action: "unsend", cfg, params: { to: ROOM, messageId: "m-2" } });
    const sent = server.sent.filter((e) => e.getChild("retract", NS_RETRACT));
    expect(
      sent.map((e) => [e.attrs.to, e.attrs.type, e.getChild("retract", NS_RETRACT)!.attrs.id]),
    ).toEqual([
      [ALICE, "chat", "m-1"],
      [ROOM, "groupchat", "m-2"],
    ]);
  });

  it("retracts our own room message by the stanza-id the room gave its reflection (XEP-0424 §4)", async () => {
    const ids = new MessageIdMap();
    const { server, cfg } = await live({ delete: true, edit: true }, { groups: [ROOM] }, ids);
    let listener: ((message: InboundMessage) => void) | undefined;
    trackOwnRoomStanzaIds({ on: ((_event: string, fn: never) => (listener = fn)) as never }, ids);
    const reflection = (isOwn: boolean, sent: string, stanzaId: string) =>
      ({
        type: "groupchat",
        id: sent,
        originId: sent,
        muc: { room: ROOM, isOwn, isPrivate: false, roomStanzaId: stanzaId },
      }) as unknown as InboundMessage;
    listener?.(reflection(true, "bot-1", "room-sid-1"));
    // Someone else's message with our id (a stranger's choice) maps nothing.
    listener?.(reflection(false, "bot-2", "room-sid-forged"));
    await handleXmppAction({ action: "delete", cfg, params: { to: ROOM, messageId: "bot-1" } });
    await handleXmppAction({ action: "delete", cfg, params: { to: ROOM, messageId: "bot-2" } });
    await handleXmppAction({ action: "delete", cfg, params: { to: ALICE, messageId: "bot-1" } });
    await handleXmppAction({
      action: "edit",
      cfg,
      params: { to: ROOM, messageId: "bot-1", message: "fixed" },
    });
    const retracted = server.sent
      .filter((e) => e.getChild("retract", NS_RETRACT))
      .map((e) => [e.attrs.to, e.getChild("retract", NS_RETRACT)!.attrs.id]);
    expect(retracted).toEqual([
      [ROOM, "room-sid-1"],
      [ROOM, "bot-2"],
      [ALICE, "bot-1"],
    ]);
    // XEP-0308 names the original's id attribute, in rooms too.
    const corrected = server.sent.find((e) => e.getChild("replace", NS_CORRECTION));
    expect(corrected!.getChild("replace", NS_CORRECTION)!.attrs.id).toBe("bot-1");
  });

  it("refuses when off, without an id, or without the new text", async () => {
    const { cfg } = await live({ edit: true });
    await expect(
      handleXmppAction({ action: "delete", cfg, params: { to: ALICE, messageId: "x" } }),
    ).rejects.toThrow(/actions\.delete/u);
    await expect(
      handleXmppAction({ action: "edit", cfg, params: { to: ALICE, message: "y" } }),
    ).rejects.toThrow(/id of the agent's message/u);
    await expect(
      handleXmppAction({ action: "edit", cfg, params: { to: ALICE, messageId: "x" } }),
    ).rejects.toThrow(/new text/u);
  });
});
