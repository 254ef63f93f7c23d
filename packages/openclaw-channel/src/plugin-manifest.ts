/**
 * The plugin's pre-runtime metadata, built from the same zod schema the
 * runtime parses: the `openclaw.plugin.json` manifest (read by the gateway
 * before any plugin code loads, e.g. by `openclaw config validate`) and the
 * `openclaw.channel.setup.fields` of package.json (read by
 * `openclaw channels add --channel xmpp`). `scripts/gen-plugin-json.ts`
 * writes both; a unit test fails when the committed files drift.
 */
import { xmppChannelJsonSchema } from "./config-schema.js";

/** Plugin id and channel id: the key under `channels.` and `plugins.entries.`. */
export const CHANNEL_ID = "xmpp";

/** File name of the manifest, at the package root. */
export const PLUGIN_MANIFEST_FILE = "openclaw.plugin.json";

/** One setup field as OpenClaw's channel setup contract serialises it. */
export interface SetupField {
  /** camelCased attribute name of the long CLI flag. */
  key: string;
  kind: "string" | "boolean" | "integer" | "string-list" | "choice";
  sensitive?: boolean;
  choices?: string[];
  cli: { flags: string; description: string };
}

/** One {@link SetupField}; `extra` (e.g. `sensitive`) goes before `cli`, as OpenClaw writes it. */
function setupField(
  key: string,
  kind: SetupField["kind"],
  flags: string,
  description: string,
  extra: Pick<SetupField, "sensitive" | "choices"> = {},
): SetupField {
  return { key, kind, ...extra, cli: { flags, description } };
}

/** The fields `openclaw channels add --channel xmpp` accepts (also written to package.json). */
export const SETUP_FIELDS: readonly SetupField[] = [
  setupField("jid", "string", "--jid <jid>", "Bot JID"),
  setupField("password", "string", "--password <password>", "XMPP account password", {
    sensitive: true,
  }),
  setupField("server", "string", "--server <host>", "XMPP server host (default: JID domain)"),
  setupField("port", "integer", "--port <port>", "XMPP server port (default 5222)"),
  setupField("nickname", "string", "--nickname <nick>", "Nickname in rooms"),
  setupField("groups", "string-list", "--groups <rooms>", "Room JIDs to join (comma-separated)"),
];

/** The whole `openclaw.plugin.json` document. */
export function buildPluginManifest(): Record<string, unknown> {
  return {
    id: CHANNEL_ID,
    name: "XMPP",
    description: "XMPP channel for OpenClaw: direct messages, group chats (XEP-0045) and pairing.",
    categories: ["channels"],
    activation: { onStartup: false },
    channels: [CHANNEL_ID],
    configSchema: { type: "object", additionalProperties: false, properties: {} },
    channelConfigs: {
      [CHANNEL_ID]: {
        schema: xmppChannelJsonSchema(),
        uiHints: {
          jid: { label: "Bot JID", placeholder: "bot@example.org" },
          password: { label: "Password", sensitive: true },
          server: { label: "Server", placeholder: "xmpp.example.org" },
          "accounts.*.password": { label: "Password", sensitive: true },
        },
        label: "XMPP",
        description: "XMPP (Jabber) accounts, rooms and access policy",
      },
    },
  };
}

/** The manifest file's text. */
export function renderPluginManifest(): string {
  return `${JSON.stringify(buildPluginManifest(), null, 2)}\n`;
}

/** `packageJson` (text) with `openclaw.channel.setup.fields` replaced by {@link SETUP_FIELDS}. */
export function renderPackageJson(packageJson: string): string {
  const pkg = JSON.parse(packageJson) as {
    openclaw?: { channel?: { setup?: { fields?: unknown } } };
  };
  pkg.openclaw ??= {};
  pkg.openclaw.channel ??= {};
  pkg.openclaw.channel.setup ??= {};
  pkg.openclaw.channel.setup.fields = SETUP_FIELDS;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
