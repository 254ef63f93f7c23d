export {
  buildChatMarker,
  type ChatMarkerType,
  markableElement,
  parseChatMarker,
  parseMarkable,
} from "./chat-markers.js";
export {
  buildChatStateMessage,
  CHAT_STATES,
  type ChatState,
  chatStateElement,
  parseChatState,
} from "./chat-states.js";
export { conversationalText } from "./conversational.js";
export { buildCorrection, parseCorrection } from "./corrections.js";
export {
  codePointLength,
  type FallbackRange,
  fallbackElement,
  stripFallbacks,
} from "./fallback.js";
export { noStoreHint, storeHint } from "./hints.js";
export { markers } from "./markers.js";
export type {
  ChatStateEvent,
  CorrectionEvent,
  MarkerEvent,
  MarkersEventBase,
  MarkersEvents,
  ReactionEvent,
  ReceiptEvent,
  ReplyEvent,
  RetractionEvent,
} from "./markers-events.js";
export type { MarkersHandle, MarkersSendOptions } from "./markers-handle.js";
export { type MarkersInfo, type OutgoingMarkers, parseMarkersInfo } from "./markers-info.js";
export {
  chatMarkersOptionsSchema,
  chatStatesOptionsSchema,
  type MarkersOptions,
  type MarkersOptionsInput,
  markersOptionsSchema,
  receiptsOptionsSchema,
  repliesOptionsSchema,
  retractionsOptionsSchema,
} from "./markers-options.js";
export {
  NS_CHAT_MARKERS,
  NS_CHAT_STATES,
  NS_CORRECTION,
  NS_FALLBACK,
  NS_HINTS,
  NS_REACTIONS,
  NS_RECEIPTS,
  NS_REPLY,
  NS_RETRACT,
} from "./namespaces.js";
export { buildReactions, isSingleEmoji, parseReactions, type Reactions } from "./reactions.js";
export {
  buildReceipt,
  parseReceipt,
  parseReceiptRequest,
  receiptRequestElement,
} from "./receipts.js";
export {
  type BuildReplyOptions,
  buildReply,
  parseReply,
  quoteText,
  type ReplyReference,
  type ReplyTarget,
} from "./replies.js";
export { buildRetraction, parseRetraction } from "./retractions.js";
export { archiveIdFor, type Conversation, conversationOf, targetIdFor } from "./target-id.js";
