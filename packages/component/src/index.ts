export {
  type Component,
  type ComponentEvents,
  createComponent,
} from "./component.js";
export type {
  ComponentDiscoRegistry,
  ComponentIdentity,
  DiscoEntity,
  DiscoItem,
  DiscoNode,
} from "./component-disco.js";
export { ComponentError, type ComponentErrorCode } from "./component-error.js";
export {
  type ComponentOptions,
  componentOptionsSchema,
  type ResolvedComponentOptions,
} from "./component-options.js";
export {
  type Delegation,
  type IqPermission,
  type MessagePermission,
  NO_PRIVILEGES,
  type PresencePermission,
  type Privileges,
  parseDelegations,
  parsePrivileges,
  type RosterPermission,
} from "./grants.js";
export { handshakeDigest } from "./handshake.js";
export {
  NS_COMPONENT,
  NS_DELEGATION,
  NS_DELEGATION_1,
  NS_PRIVILEGE,
} from "./namespaces.js";
export type {
  PrivilegedMessage,
  RosterItem,
  Subscription,
} from "./privileged.js";
