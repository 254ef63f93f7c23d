/**
 * The echo behaviour: answer each direct chat message with the same text,
 * when the access policy admits the sender. Under `pairing`, a stranger gets
 * a pairing code instead. Group chat, our own carbons and empty bodies are ignored.
 */
import type { Client, InboundMessage } from "@clawxmpp/core";
import type { PolicyHandle } from "@clawxmpp/policy";

/** Starts echoing admitted direct messages; returns a function that stops it. */
export function echoDirectMessages(
  client: Client,
  access: PolicyHandle,
  log: (line: string) => void = () => {},
): () => void {
  return client.on("message", (message: InboundMessage) => {
    if (message.type !== "chat" && message.type !== "normal") return;
    const body = message.body;
    if (message.outgoing || body === undefined || body.trim() === "") return;
    void (async () => {
      const verdict = await access.admitDm(message.from.full);
      if (verdict.action !== "allow") {
        log(`not echoing ${message.from.bare}: ${verdict.reason}`);
        return;
      }
      await client.send({ to: message.from.full, type: "chat", body });
      log(`echoed to ${message.from.bare}`);
    })().catch((error: unknown) =>
      log(`echo failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  });
}
