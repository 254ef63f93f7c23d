/**
 * The echo behaviour: answer each direct chat message with the same text.
 * Group chat, carbons of our own messages, history and empty bodies are ignored.
 */
import type { Client, InboundMessage } from "@clawxmpp/core";

/** Starts echoing direct messages; returns a function that stops it. */
export function echoDirectMessages(
  client: Client,
  onEcho?: (message: InboundMessage) => void,
): () => void {
  return client.on("message", (message) => {
    if (message.type !== "chat" && message.type !== "normal") return;
    if (message.outgoing || message.body === undefined || message.body.trim() === "") return;
    void client
      .send({ to: message.from.full, type: "chat", body: message.body })
      .then(() => onEcho?.(message))
      .catch(() => {
        // Offline sends are queued; a rejection means the client stopped.
      });
  });
}
