/**
 * SASL authentication (RFC 6120 §6). Strongest mechanism first; PLAIN is
 * never offered over an unencrypted stream; no acceptable mechanism is a
 * terminal error that lists what the server offered.
 */
import { AuthError } from "../errors.js";
import { parseJid } from "../jid.js";
import { type Element, xml } from "../xml.js";
import { type ScramHash, ScramSession } from "./scram.js";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

const NS_SASL_CB = "urn:xmpp:sasl-cb:0";

const SCRAM: Record<string, ScramHash> = {
  "SCRAM-SHA-512": "sha512",
  "SCRAM-SHA-256": "sha256",
  "SCRAM-SHA-1": "sha1",
};
/** Preference order: channel-bound SCRAM first, PLAIN (over TLS only) last. */
const PREFERENCE = [
  "SCRAM-SHA-512-PLUS",
  "SCRAM-SHA-256-PLUS",
  "SCRAM-SHA-1-PLUS",
  "SCRAM-SHA-512",
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "PLAIN",
] as const;

/** Channel binding types (RFC 5929, RFC 9266) the transport can compute. */
export type ChannelBindingType = "tls-exporter" | "tls-unique" | "tls-server-end-point";

/** Gives the binding data of the current TLS channel, or undefined when it cannot. */
export type ChannelBindingSource = (type: ChannelBindingType) => Buffer | undefined;

interface AuthParams extends Omit<PasswordMechanismParams, "offered"> {
  send(element: Element): Promise<void>;
  expect(match: (element: Element) => boolean): Promise<Element>;
  /** Told the mechanism and channel binding type (undefined: none) before the exchange starts. */
  chosen?:
    | ((mechanism: string, channelBinding: ChannelBindingType | undefined) => void)
    | undefined;
}

/** Picks a mechanism the server offers that is safe on this stream (`canBind`: -PLUS is possible). */
export function chooseMechanism(
  offered: readonly string[],
  secure: boolean,
  canBind = false,
): string | undefined {
  return PREFERENCE.find(
    (name) =>
      offered.includes(name) &&
      (name !== "PLAIN" || secure) &&
      (!name.endsWith("-PLUS") || canBind),
  );
}

/**
 * The binding type to use: what the server announces (XEP-0440) in our order of preference,
 * else the default for the TLS version (RFC 9266 for TLS 1.3, tls-unique before it).
 */
export function chooseBindingType(
  features: Element,
  tlsVersion: string | undefined,
): ChannelBindingType {
  const announced = announcedBindings(features);
  const tls13 = tlsVersion === "TLSv1.3";
  if (announced && announced.length > 0) {
    if (tls13 && announced.includes("tls-exporter")) return "tls-exporter";
    if (announced.includes("tls-server-end-point")) return "tls-server-end-point";
    if (!tls13 && announced.includes("tls-unique")) return "tls-unique";
  }
  return tls13 ? "tls-exporter" : "tls-unique";
}

/** What a password login needs to pick and run a mechanism (SASL1 and SASL2 alike). */
export interface PasswordMechanismParams {
  /** Mechanisms the server offers. */
  offered: readonly string[];
  /** The stream features (for XEP-0440 channel-binding types). */
  features: Element;
  secure: boolean;
  /** TLS protocol version of the stream, e.g. "TLSv1.3". */
  tlsVersion?: string | undefined;
  channelBinding?: ChannelBindingSource | undefined;
  jid: string;
  password: string;
}

/** One SASL mechanism exchange, with raw (not base64) payloads. */
export interface MechanismSession {
  readonly name: string;
  /** Channel binding type in use, undefined for none. */
  readonly channelBinding: ChannelBindingType | undefined;
  /** The initial response. */
  initial(): Buffer;
  /** Answers a challenge. */
  respond(challenge: Buffer): Promise<Buffer>;
  /** Checks the server's final data (`<success>` payload or SASL2 additional-data). */
  finish(data: Buffer | undefined): void;
  /** XEP-0474 outcome, for SCRAM. */
  readonly ssdp?: "verified" | "absent" | "unchecked" | undefined;
}

/** The XEP-0440 channel-binding types announced, undefined when the feature is absent. */
export function announcedBindings(features: Element): string[] | undefined {
  return features
    .getChild("sasl-channel-binding", NS_SASL_CB)
    ?.getChildren("channel-binding")
    .map((c) => c.attrs.type ?? "");
}

/**
 * Picks the strongest password mechanism the server offers that is safe on this stream and
 * prepares it; throws `no-acceptable-mechanism` when there is none.
 */
export function passwordMechanism(params: PasswordMechanismParams): MechanismSession {
  const { offered } = params;
  const bindingType = chooseBindingType(params.features, params.tlsVersion);
  const bindingData = params.secure ? params.channelBinding?.(bindingType) : undefined;
  const mechanism = chooseMechanism(offered, params.secure, bindingData !== undefined);
  if (!mechanism) {
    throw new AuthError(
      "no-acceptable-mechanism",
      `server offers [${offered.join(", ") || "nothing"}]; clawxmpp needs SCRAM-SHA-1/256/512, or PLAIN over TLS`,
    );
  }
  const username = parseJid(params.jid).local ?? "";
  if (mechanism === "PLAIN") {
    return {
      name: mechanism,
      channelBinding: undefined,
      initial: () => Buffer.from(`\0${username}\0${params.password}`, "utf8"),
      respond: () => {
        throw new AuthError("malformed-request", "unexpected SASL challenge for PLAIN");
      },
      finish: () => {},
    };
  }
  const plus = mechanism.endsWith("-PLUS");
  const scram = new ScramSession(
    SCRAM[mechanism.replace(/-PLUS$/u, "")] as ScramHash,
    username,
    params.password,
    undefined,
    plus && bindingData ? { type: bindingType, data: bindingData } : undefined,
    { mechanisms: offered, channelBindings: announcedBindings(params.features) },
  );
  let challenged = false;
  return {
    name: mechanism,
    channelBinding: plus ? bindingType : undefined,
    initial: () => Buffer.from(scram.first(), "utf8"),
    respond: async (challenge) => {
      if (challenged) throw new AuthError("malformed-request", "unexpected extra SASL challenge");
      challenged = true;
      return Buffer.from(await scram.final(challenge.toString("utf8")), "utf8");
    },
    finish: (data) => {
      if (!challenged)
        throw new AuthError("malformed-request", "server skipped the SCRAM challenge");
      scram.verify((data ?? Buffer.alloc(0)).toString("utf8"));
    },
    get ssdp() {
      return scram.ssdp;
    },
  };
}

/** Runs the SASL exchange (RFC 6120 §6); resolves with the mechanism used. */
export async function authenticate(params: AuthParams): Promise<MechanismSession> {
  const offered =
    params.features
      .getChild("mechanisms", NS_SASL)
      ?.getChildren("mechanism")
      .map((m) => m.text().trim()) ?? [];
  const session = passwordMechanism({ ...params, offered });
  params.chosen?.(session.name, session.channelBinding);
  const isSasl = (el: Element) => el.attrs.xmlns === NS_SASL;

  let answer = params.expect(isSasl);
  await params.send(
    xml("auth", { xmlns: NS_SASL, mechanism: session.name }, session.initial().toString("base64")),
  );
  let result = await answer;
  while (result.name === "challenge") {
    const data = unb64(result.text());
    // RFC 6120 allows the server-final-message in a last <challenge/> answered by an empty response.
    if (session.name !== "PLAIN" && isServerFinal(data)) {
      session.finish(data);
      answer = params.expect(isSasl);
      await params.send(xml("response", { xmlns: NS_SASL }));
      result = await answer;
      await finish(result);
      return session;
    }
    answer = params.expect(isSasl);
    await params.send(
      xml("response", { xmlns: NS_SASL }, (await session.respond(data)).toString("base64")),
    );
    result = await answer;
  }
  await finish(result);
  session.finish(unb64(result.text()));
  return session;
}

function isServerFinal(data: Buffer): boolean {
  const text = data.toString("utf8");
  return text.startsWith("v=") || text.startsWith("e=");
}

/** Throws for anything but `<success/>`. */
async function finish(element: Element): Promise<void> {
  if (element.name === "success") return;
  if (element.name === "failure") {
    const condition =
      element.getChildElements().find((c) => c.name !== "text")?.name ?? "not-authorized";
    const text = element.getChildText("text") ?? undefined;
    throw new AuthError(condition, text, { terminal: condition !== "temporary-auth-failure" });
  }
  if (element.name === "challenge") {
    throw new AuthError("malformed-request", "unexpected extra SASL challenge");
  }
  throw new AuthError("malformed-request", `unexpected SASL element <${element.name}/>`);
}

function unb64(value: string): Buffer {
  return Buffer.from(value.trim(), "base64");
}
