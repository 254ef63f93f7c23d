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

interface AuthParams {
  features: Element;
  secure: boolean;
  /** TLS protocol version of the stream, e.g. "TLSv1.3". */
  tlsVersion?: string | undefined;
  channelBinding?: ChannelBindingSource | undefined;
  jid: string;
  password: string;
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
  const announced = features
    .getChild("sasl-channel-binding", NS_SASL_CB)
    ?.getChildren("channel-binding")
    .map((c) => c.attrs.type);
  const tls13 = tlsVersion === "TLSv1.3";
  if (announced && announced.length > 0) {
    if (tls13 && announced.includes("tls-exporter")) return "tls-exporter";
    if (announced.includes("tls-server-end-point")) return "tls-server-end-point";
    if (!tls13 && announced.includes("tls-unique")) return "tls-unique";
  }
  return tls13 ? "tls-exporter" : "tls-unique";
}

/** Runs the SASL exchange; resolves with the mechanism used. */
export async function authenticate(params: AuthParams): Promise<string> {
  const offered =
    params.features
      .getChild("mechanisms", NS_SASL)
      ?.getChildren("mechanism")
      .map((m) => m.text().trim()) ?? [];
  const bindingType = chooseBindingType(params.features, params.tlsVersion);
  const bindingData = params.secure ? params.channelBinding?.(bindingType) : undefined;
  const mechanism = chooseMechanism(offered, params.secure, bindingData !== undefined);
  if (!mechanism) {
    throw new AuthError(
      "no-acceptable-mechanism",
      `server offers [${offered.join(", ") || "nothing"}]; clawxmpp needs SCRAM-SHA-1/256/512, or PLAIN over TLS`,
    );
  }
  params.chosen?.(mechanism, mechanism.endsWith("-PLUS") ? bindingType : undefined);
  const username = parseJid(params.jid).local ?? "";
  const isSasl = (el: Element) => el.attrs.xmlns === NS_SASL;

  if (mechanism === "PLAIN") {
    const payload = Buffer.from(`\0${username}\0${params.password}`, "utf8").toString("base64");
    const answer = params.expect(isSasl);
    await params.send(xml("auth", { xmlns: NS_SASL, mechanism }, payload));
    await finish(await answer);
    return mechanism;
  }

  const plus = mechanism.endsWith("-PLUS");
  const scram = new ScramSession(
    SCRAM[mechanism.replace(/-PLUS$/u, "")] as ScramHash,
    username,
    params.password,
    undefined,
    plus && bindingData ? { type: bindingType, data: bindingData } : undefined,
  );
  let answer = params.expect(isSasl);
  await params.send(xml("auth", { xmlns: NS_SASL, mechanism }, b64(scram.first())));
  const challenge = await answer;
  if (challenge.name !== "challenge") {
    await finish(challenge);
    throw new AuthError("malformed-request", "server skipped the SCRAM challenge");
  }
  answer = params.expect(isSasl);
  await params.send(
    xml("response", { xmlns: NS_SASL }, b64(await scram.final(unb64(challenge.text())))),
  );
  const result = await answer;
  await finish(result);
  // RFC 6120 allows the server-final-message in <success/> or in a last <challenge/>.
  scram.verify(unb64(result.text()));
  return mechanism;
}

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

function b64(value: string): string {
  return Buffer.from(value, "utf8").toString("base64");
}

function unb64(value: string): string {
  return Buffer.from(value.trim(), "base64").toString("utf8");
}
