/**
 * Loads `@clawxmpp/omemo` (XEP-0384 0.3) only when an account turns
 * `omemo.enabled` on. The package is GPL-3.0-only (its Signal library is), so
 * this MIT channel never depends on it: it is an optional peer dependency,
 * reached through a dynamic `import()` whose specifier is not a literal, so
 * neither TypeScript nor a bundler pulls it in. The shapes below are the few
 * parts of its public API the channel uses, restated structurally.
 */
import type { Events, Plugin, PluginHandle } from "@clawxmpp/core";
import { ConfigError } from "@clawxmpp/core";

/** The package the channel loads when OMEMO is on. */
export const OMEMO_PACKAGE = "@clawxmpp/omemo";

/** Our device as `OmemoHandle.identity()` reports it. */
export interface OmemoIdentityLike {
  deviceId: number;
  fingerprint: string;
  display: string;
}

/** What `deviceAdded` carries. */
export interface DeviceAddedLike {
  jid: string;
  deviceId: number;
  own: boolean;
}

/** The events of `OmemoHandle` the channel listens to. */
export type OmemoEventsLike = { deviceAdded: [DeviceAddedLike] };

/** The parts of `OmemoHandle` the channel uses. */
export interface OmemoHandleLike extends PluginHandle, Events<OmemoEventsLike> {
  readonly ready: Promise<OmemoIdentityLike>;
  published(): Promise<void>;
  devices(jid: string, options?: { refresh?: boolean }): Promise<unknown[]>;
}

/** The options the channel passes to the `omemo` plugin (a subset of `OmemoOptionsInput`). */
export interface OmemoPluginOptions {
  store: string;
  trust: "btbv" | "always" | "manual";
  trustedFingerprints: string[];
  requireEncryption: boolean;
  deviceLabel?: string;
}

/** The parts of the `@clawxmpp/omemo` module the channel uses. */
export interface OmemoModule {
  // biome-ignore lint/suspicious/noExplicitAny: the plugin's dependency map is its own business
  omemo: Plugin<OmemoPluginOptions, OmemoHandleLike, any>;
}

/** Imports a module by name; a seam for tests. */
export type Importer = (specifier: string) => Promise<unknown>;

const nativeImport: Importer = (specifier) => import(specifier);

/**
 * Imports `@clawxmpp/omemo`. Throws a ConfigError telling the user to install
 * it when it is missing, and one naming the cause when it cannot load.
 */
export async function loadOmemo(importer: Importer = nativeImport): Promise<OmemoModule> {
  let loaded: unknown;
  try {
    loaded = await importer(OMEMO_PACKAGE);
  } catch (error) {
    if (isMissing(error)) {
      throw new ConfigError(
        `[openclaw-channel] omemo.enabled is on but ${OMEMO_PACKAGE} is not installed. ` +
          `Install it next to this plugin (npm install ${OMEMO_PACKAGE}; it is GPL-3.0-only), ` +
          "or set channels.xmpp.omemo.enabled to false.",
        [{ field: "channels.xmpp.omemo.enabled", message: `${OMEMO_PACKAGE} is not installed` }],
      );
    }
    throw new ConfigError(
      `[openclaw-channel] ${OMEMO_PACKAGE} could not be loaded: ${(error as Error)?.message ?? String(error)}`,
      [{ field: "channels.xmpp.omemo.enabled", message: `${OMEMO_PACKAGE} could not be loaded` }],
    );
  }
  const plugin = (loaded as { omemo?: unknown } | null)?.omemo;
  if (typeof (plugin as { pluginName?: unknown } | undefined)?.pluginName !== "string") {
    throw new ConfigError(
      `[openclaw-channel] ${OMEMO_PACKAGE} has no omemo plugin: install a version that matches this channel`,
      [{ field: "channels.xmpp.omemo.enabled", message: `${OMEMO_PACKAGE} is incompatible` }],
    );
  }
  return { omemo: plugin as OmemoModule["omemo"] };
}

/** True when the import failed because the package itself (not one of its files) is absent. */
function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const message = (error as Error).message ?? "";
  return message.includes(`'${OMEMO_PACKAGE}'`) || message.includes(`"${OMEMO_PACKAGE}"`);
}
