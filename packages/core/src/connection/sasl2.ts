/**
 * XEP-0388 (Extensible SASL Profile, "SASL2") with what rides inline in the
 * authentication round: XEP-0386 Bind2 (resource, XEP-0198 enable, carbons),
 * XEP-0198 resume, XEP-0484 FAST token request/use and XEP-0480 upgrade tasks.
 * One `<authenticate>` replaces SASL1's auth, stream restart, bind and enable
 * round trips. Parsing is defensive: whatever the server sends that does not
 * fit ends in an `AuthError`, never a hang (each wait has the auth timeout).
 */
import { AuthError } from "../errors.js";
import { type Element, xml } from "../xml.js";
import type { MechanismSession } from "./sasl.js";
import { type ScramHash, saltedPassword } from "./scram.js";

export const NS_SASL2 = "urn:xmpp:sasl:2";
export const NS_BIND2 = "urn:xmpp:bind:0";
export const NS_FAST = "urn:xmpp:fast:0";
export const NS_UPGRADE = "urn:xmpp:sasl:upgrade:0";
export const NS_SCRAM_UPGRADE = "urn:xmpp:scram-upgrade:0";
const NS_SM = "urn:xmpp:sm:3";
const NS_CARBONS = "urn:xmpp:carbons:2";

/** What the server's `<authentication xmlns='urn:xmpp:sasl:2'>` feature offers. */
export interface Sasl2Offer {
  mechanisms: string[];
  /** XEP-0386 inline bind, with the `var`s it can enable inline; undefined when not offered. */
  bind2?: { features: string[] } | undefined;
  /** XEP-0198 inline (resume in authenticate, enable in bind). */
  sm: boolean;
  /** XEP-0484 HT mechanisms, undefined when FAST is not offered. */
  fast?: { mechanisms: string[] } | undefined;
  /** XEP-0480 upgrade tasks the server can run. */
  upgrades: string[];
}

/** Parses the SASL2 feature; undefined when absent or without any mechanism. */
export function parseSasl2Offer(features: Element): Sasl2Offer | undefined {
  const auth = features.getChild("authentication", NS_SASL2);
  if (!auth) return undefined;
  const texts = (parent: Element | undefined, name: string, ns?: string) =>
    (parent?.getChildren(name, ns) ?? [])
      .map((m) => m.text().trim())
      .filter((t) => t !== "" && t.length <= 100)
      .slice(0, 64);
  const mechanisms = texts(auth, "mechanism");
  if (mechanisms.length === 0) return undefined;
  const inline = auth.getChild("inline");
  const bind = inline?.getChild("bind", NS_BIND2);
  const fast = inline?.getChild("fast", NS_FAST);
  return {
    mechanisms,
    bind2: bind
      ? {
          features: (bind.getChild("inline")?.getChildren("feature") ?? [])
            .map((f) => f.attrs.var ?? "")
            .filter((v) => v !== ""),
        }
      : undefined,
    sm: inline?.getChild("sm", NS_SM) !== undefined,
    fast: fast ? { mechanisms: texts(fast, "mechanism") } : undefined,
    upgrades: texts(auth, "upgrade", NS_UPGRADE),
  };
}

/** What to put into `<authenticate>`. */
export interface Sasl2Request {
  mechanism: MechanismSession;
  userAgent: { id: string; software?: string | undefined; device?: string | undefined };
  /** Authenticating with a FAST token: its use count (XEP-0484 replay counter). */
  fastCount?: number | undefined;
  /** Ask for a FAST token for this HT mechanism. */
  requestToken?: string | undefined;
  /** XEP-0386 inline bind. */
  bind?: { tag: string; enableSm: boolean; carbons: boolean } | undefined;
  /** XEP-0198 resume inline. */
  resume?: { id: string; h: number } | undefined;
  /** XEP-0480 tasks to ask for (UPGR-SCRAM-*), with the password to derive their data. */
  upgrades?: { tasks: string[]; password: string } | undefined;
}

/** What `<success>` carried. */
export interface Sasl2Outcome {
  /** `<authorization-identifier>`: the full JID once bound, else the bare JID. */
  jid: string | undefined;
  /** The `<bound>` element when Bind2 bound a resource. */
  bound: Element | undefined;
  /** XEP-0198 `<resumed>` or `<failed>` answering an inline resume. */
  resume: Element | undefined;
  /** XEP-0198 `<enabled>`/`<failed>` from the inline bind. */
  smEnable: Element | undefined;
  /** Carbons were enabled inline. */
  carbons: boolean;
  /** A new FAST token (first login, or rotation). */
  token: { token: string; expiry: string | undefined } | undefined;
  /** XEP-0480 tasks run. */
  tasks: string[];
}

/** The exchange's I/O (the transport's send and its timed waiter). */
export interface Sasl2Io {
  send(element: Element): Promise<void>;
  /** The next element in the SASL2 namespace (rejects on timeout or a closed socket). */
  next(): Promise<Element>;
}

const UPGRADE_HASH: Record<string, ScramHash> = {
  "UPGR-SCRAM-SHA-1": "sha1",
  "UPGR-SCRAM-SHA-256": "sha256",
  "UPGR-SCRAM-SHA-512": "sha512",
};

/** XEP-0480 tasks we can run, of those offered, that are not the hash we log in with. */
export function wantedUpgrades(offered: readonly string[], mechanism: string): string[] {
  return offered.filter(
    (task) => task in UPGRADE_HASH && !mechanism.startsWith(task.replace(/^UPGR-/u, "")),
  );
}

/** Builds the `<authenticate>` element. */
export function authenticateElement(request: Sasl2Request): Element {
  const { mechanism, userAgent } = request;
  const el = xml(
    "authenticate",
    { xmlns: NS_SASL2, mechanism: mechanism.name },
    xml("initial-response", {}, mechanism.initial().toString("base64")),
    xml(
      "user-agent",
      { id: userAgent.id },
      ...(userAgent.software ? [xml("software", {}, userAgent.software)] : []),
      ...(userAgent.device ? [xml("device", {}, userAgent.device)] : []),
    ),
  );
  for (const task of request.upgrades?.tasks ?? []) {
    el.append(xml("upgrade", { xmlns: NS_UPGRADE }, task));
  }
  if (request.fastCount !== undefined) {
    el.append(xml("fast", { xmlns: NS_FAST, count: String(request.fastCount) }));
  }
  if (request.requestToken) {
    el.append(xml("request-token", { xmlns: NS_FAST, mechanism: request.requestToken }));
  }
  if (request.resume) {
    el.append(
      xml("resume", { xmlns: NS_SM, previd: request.resume.id, h: String(request.resume.h) }),
    );
  }
  if (request.bind) {
    el.append(
      xml(
        "bind",
        { xmlns: NS_BIND2 },
        xml("tag", {}, request.bind.tag),
        ...(request.bind.enableSm ? [xml("enable", { xmlns: NS_SM, resume: "true" })] : []),
        ...(request.bind.carbons ? [xml("enable", { xmlns: NS_CARBONS })] : []),
      ),
    );
  }
  return el;
}

/** The most steps a login may take (challenges and tasks) before it is called garbage. */
const MAX_STEPS = 8;

/** Runs the SASL2 exchange; resolves with what `<success>` carried. */
export async function sasl2Authenticate(request: Sasl2Request, io: Sasl2Io): Promise<Sasl2Outcome> {
  const { mechanism } = request;
  let answer = io.next();
  await io.send(authenticateElement(request));
  const tasks: string[] = [];
  let finished = false;
  /** The task being run after `<continue>`, until success. */
  let task: string | undefined;
  for (let step = 0; step < MAX_STEPS; step++) {
    const element = await answer;
    switch (element.name) {
      case "challenge": {
        if (task || finished) throw malformed("unexpected SASL2 challenge");
        const data = payload(element);
        answer = io.next();
        await io.send(
          xml("response", { xmlns: NS_SASL2 }, (await mechanism.respond(data)).toString("base64")),
        );
        break;
      }
      case "task-data": {
        if (!task) throw malformed("task data without a task");
        answer = io.next();
        await io.send(await taskData(task, element, request.upgrades?.password));
        break;
      }
      case "continue": {
        if (!finished) {
          mechanism.finish(optionalPayload(element));
          finished = true;
        }
        const offeredTasks = (element.getChild("tasks")?.getChildren("task") ?? []).map((t) =>
          t.text().trim(),
        );
        const next = offeredTasks.find(
          (t) => t in UPGRADE_HASH && request.upgrades?.tasks.includes(t),
        );
        if (!next) {
          await io.send(xml("abort", { xmlns: NS_SASL2 })).catch(() => {});
          throw new AuthError(
            "unsupported-task",
            `the server requires task(s) [${offeredTasks.join(", ") || "none"}] clawxmpp cannot run`,
          );
        }
        task = next;
        tasks.push(next);
        answer = io.next();
        await io.send(xml("next", { xmlns: NS_SASL2, task: next }));
        break;
      }
      case "success": {
        if (!finished) mechanism.finish(optionalPayload(element));
        return outcome(element, tasks);
      }
      case "failure":
        throw failureError(element);
      default:
        throw malformed(`unexpected SASL2 element <${element.name}/>`);
    }
  }
  throw malformed("too many SASL2 steps");
}

/** XEP-0480 UPGR-SCRAM-*: answer the salt with the SaltedPassword for that hash. */
async function taskData(
  task: string,
  element: Element,
  password: string | undefined,
): Promise<Element> {
  const hash = UPGRADE_HASH[task];
  const salt = element.getChild("salt", NS_SCRAM_UPGRADE);
  const iterations = Number(salt?.attrs.iterations);
  if (!hash || !salt || password === undefined) throw malformed(`no salt for task ${task}`);
  if (!Number.isInteger(iterations) || iterations < 1024 || iterations > 1_000_000) {
    throw malformed(`upgrade iteration count ${salt.attrs.iterations} out of range`);
  }
  const salted = await saltedPassword(
    hash,
    password,
    Buffer.from(salt.text().trim(), "base64"),
    iterations,
  );
  return xml(
    "task-data",
    { xmlns: NS_SASL2 },
    xml("hash", { xmlns: NS_SCRAM_UPGRADE }, salted.toString("base64")),
  );
}

function outcome(success: Element, tasks: string[]): Sasl2Outcome {
  const bound = success.getChild("bound", NS_BIND2);
  const resume =
    success.getChild("resumed", NS_SM) ?? success.getChild("failed", NS_SM) ?? undefined;
  const smEnable = bound?.getChild("enabled", NS_SM) ?? bound?.getChild("failed", NS_SM);
  const token = success.getChild("token", NS_FAST);
  const secret = token?.attrs.token;
  return {
    jid: success.getChildText("authorization-identifier")?.trim() || undefined,
    bound,
    resume,
    smEnable,
    carbons: bound?.getChild("enabled", NS_CARBONS) !== undefined,
    token:
      secret && secret.length <= 4096 ? { token: secret, expiry: token?.attrs.expiry } : undefined,
    tasks,
  };
}

function failureError(element: Element): AuthError {
  const condition =
    element.getChildElements().find((c) => c.name !== "text")?.name ?? "not-authorized";
  const text = element.getChildText("text") ?? undefined;
  return new AuthError(condition, text, { terminal: condition !== "temporary-auth-failure" });
}

function payload(element: Element): Buffer {
  return Buffer.from(element.text().trim(), "base64");
}

function optionalPayload(element: Element): Buffer | undefined {
  const data = element.getChild("additional-data");
  return data ? payload(data) : undefined;
}

function malformed(text: string): AuthError {
  return new AuthError("malformed-request", text);
}
