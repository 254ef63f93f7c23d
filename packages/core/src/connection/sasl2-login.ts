/**
 * The SASL2 login (XEP-0388) as the transport runs it: picks FAST (XEP-0484)
 * or the password, puts Bind2 (XEP-0386), the XEP-0198 resume or enable and
 * carbons into the one `<authenticate>`, keeps the FAST token store current,
 * and turns `<success/>` into the transport's `OpenResult`. XEP-0198 answers
 * are handed to the client in stream order, as on the SASL1 path.
 */
import { AuthError, ClawXmppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type {
  LoginInfo,
  LoginSettings,
  OpenRequest,
  OpenResult,
  TransportParams,
} from "../transport.js";
import type { Element } from "../xml.js";
import { chooseHtMechanism, type FastToken, htMechanism, htUsable, isFastToken } from "./fast.js";
import { type ChannelBindingSource, passwordMechanism } from "./sasl.js";
import {
  NS_SASL2,
  type Sasl2Offer,
  type Sasl2Outcome,
  sasl2Authenticate,
  wantedUpgrades,
} from "./sasl2.js";

const NS_STREAM = "http://etherx.jabber.org/streams";
const NS_SM = "urn:xmpp:sm:3";
const NS_CARBONS = "urn:xmpp:carbons:2";
/** SASL2 failures after which a FAST token is dropped and the password tried. */
const FAST_REFUSED = new Set([
  "not-authorized",
  "credentials-expired",
  "malformed-request",
  "invalid-mechanism",
  "mechanism-too-weak",
  "temporary-auth-failure",
]);

interface TokenContext {
  login: LoginSettings;
  log: Logger;
}

/** What the transport lends the SASL2 login. */
export interface Sasl2LoginContext extends TokenContext {
  request: OpenRequest;
  /** The (secure) stream's features. */
  features: Element;
  offer: Sasl2Offer;
  jid: string;
  password: string;
  timeouts: TransportParams["timeouts"];
  secure: boolean;
  tlsVersion: string | undefined;
  channelBinding: ChannelBindingSource;
  /** The full JID of the session being resumed. */
  previousJid: string | undefined;
  send(element: Element): Promise<void>;
  expect(match: (element: Element) => boolean, ms: number, step: string): Promise<Element>;
  /** Hands an XEP-0198 nonza to the client. */
  smNonza(element: Element): void;
  /** RFC 6120 bind (+ SM enable) for servers with SASL2 but without Bind2. */
  bind(features: Element, smOffered: boolean, mechanism: string): Promise<OpenResult>;
}

/**
 * XEP-0388 with everything inline: one `<authenticate>` carries the user agent, Bind2 (with SM
 * enable and carbons), an SM resume, and a FAST token or a request for one. A refused token is
 * cleared and the password tried on the same stream.
 */
export async function sasl2Login(
  ctx: Sasl2LoginContext,
): Promise<{ result: OpenResult; boundJid?: string | undefined }> {
  const { request, features, offer, login, timeouts, jid, password } = ctx;
  const secure = ctx.secure;
  const channelBinding = ctx.channelBinding;
  const fastMechanisms = login.fast ? offer.fast?.mechanisms : undefined;
  let token = fastMechanisms ? await loadToken(ctx) : undefined;
  if (token && fastMechanisms) {
    const expired = token.expiry !== undefined && Date.parse(token.expiry) <= Date.now();
    if (expired) {
      ctx.log.debug("FAST token expired; logging in with the password");
      await clearToken(ctx);
      token = undefined;
    } else if (
      !fastMechanisms.includes(token.mechanism) ||
      !htUsable(token.mechanism, secure, channelBinding)
    ) {
      ctx.log.debug("FAST token's mechanism not usable on this stream", {
        mechanism: token.mechanism,
        offered: fastMechanisms,
      });
      token = undefined;
    }
  }
  // Servers that advertise carbons for Bind2 enable them when asked; Prosody confirms with
  // <enabled/>, ejabberd silently, so a successful bind with the request counts as enabled.
  const inlineCarbons =
    request.carbons === true && offer.bind2?.features.includes(NS_CARBONS) === true;
  // Without Bind2 the server sends features after <success/>; wait for them from the start.
  const later = offer.bind2
    ? undefined
    : ctx.expect(
        (el) => el.is("features", NS_STREAM),
        timeouts.auth + timeouts.features,
        "features",
      );
  const attempt = async (useToken: FastToken | undefined) => {
    const mechanism = useToken
      ? htMechanism(useToken, jid, channelBinding)
      : passwordMechanism({
          offered: offer.mechanisms,
          features,
          secure,
          tlsVersion: ctx.tlsVersion,
          channelBinding,
          jid,
          password,
        });
    const requestToken =
      fastMechanisms && !useToken
        ? chooseHtMechanism(fastMechanisms, secure, channelBinding)
        : undefined;
    const upgrades = useToken ? [] : wantedUpgrades(offer.upgrades, mechanism.name);
    const userAgent = { ...login.userAgent, id: useToken?.userAgentId ?? login.userAgent.id };
    ctx.log.debug("SASL2 authenticating", {
      mechanism: mechanism.name,
      channelBinding: mechanism.channelBinding ?? "none",
      fast: useToken !== undefined,
      requestToken: requestToken ?? "no",
      bind2: offer.bind2 !== undefined,
      resume: request.resume !== undefined && offer.sm,
      ...(upgrades.length > 0 ? { upgrades } : {}),
    });
    const outcome = await sasl2Authenticate(
      {
        mechanism,
        userAgent,
        fastCount: useToken?.count,
        requestToken,
        bind: offer.bind2
          ? {
              tag: request.resource,
              enableSm: request.enableStreamManagement && offer.sm,
              carbons: inlineCarbons,
            }
          : undefined,
        resume: request.resume && offer.sm ? request.resume : undefined,
        upgrades: upgrades.length > 0 ? { tasks: upgrades, password } : undefined,
      },
      {
        send: (el) => ctx.send(el),
        next: () => ctx.expect((el) => el.attrs.xmlns === NS_SASL2, timeouts.auth, "auth"),
      },
    );
    return { mechanism, outcome, requestToken, userAgentId: userAgent.id };
  };

  let run: Awaited<ReturnType<typeof attempt>>;
  if (token) {
    try {
      run = await attempt(token);
    } catch (error) {
      const refused = error instanceof AuthError && FAST_REFUSED.has(error.condition);
      // A server that hangs up on the token (rather than answering <failure/>) must not get it
      // again on every reconnect: the next attempt uses the password.
      const hungUp = ClawXmppError.isInstance(error) && error.code === "connection";
      if (refused || hungUp) await clearToken(ctx);
      if (!refused) throw error;
      ctx.log.debug("FAST token refused; cleared; logging in with the password", {
        condition: error.condition,
      });
      token = undefined;
      run = await attempt(undefined);
    }
  } else {
    run = await attempt(undefined);
  }
  const { mechanism, outcome } = run;
  await keepToken(ctx, run, token);
  const info: LoginInfo = {
    path: "sasl2",
    mechanism: mechanism.name,
    channelBinding: mechanism.channelBinding,
    fast: token !== undefined,
    tokenIssued: outcome.token !== undefined,
    bind2: outcome.bound !== undefined,
    ssdp: mechanism.ssdp ?? "unchecked",
    upgrades: outcome.tasks,
    tlsVersion: ctx.tlsVersion,
  };
  ctx.log.debug("SASL2 succeeded", { ...info });
  const secureNow = ctx.secure;
  const base = { secure: secureNow, mechanism: mechanism.name };

  // XEP-0198 answers go to the client in stream order, as with SASL1.
  let resumeFailed = false;
  let ackedByServer: number | undefined;
  if (outcome.resume) {
    ctx.smNonza(outcome.resume);
    const h = outcome.resume.attrs.h;
    ackedByServer = h === undefined ? undefined : Number(h);
    if (outcome.resume.name === "resumed" && request.resume) {
      ctx.log.debug("stream management: resumed", { h });
      return {
        result: {
          ...base,
          login: info,
          jid: ctx.previousJid ?? outcome.jid ?? "",
          resumed: true,
          ackedByServer,
          resumeFailed: false,
          streamManagement: { id: request.resume.id, resumable: true },
        },
      };
    }
    resumeFailed = true;
    ctx.log.debug("stream management: resume failed; binding a new session", { h });
  } else if (request.resume && offer.sm) {
    resumeFailed = true;
  }

  if (!outcome.bound) {
    if (offer.bind2) throw new ClawXmppError("protocol", "server did not bind a resource inline");
    // SASL2 without Bind2: RFC 6120 bind on the features sent after <success/>.
    const next = await (later as Promise<Element>);
    const smOffered = next.getChild("sm", NS_SM) !== undefined;
    return {
      result: {
        ...(await ctx.bind(next, smOffered, mechanism.name)),
        resumeFailed,
        ackedByServer,
        login: info,
      },
    };
  }
  const boundJid = outcome.jid;
  if (!boundJid?.includes("/"))
    throw new ClawXmppError("protocol", "SASL2 success carries no full JID after Bind2");
  ctx.log.debug("resource bound inline", { jid: boundJid, carbons: outcome.carbons });
  let streamManagement: OpenResult["streamManagement"];
  if (outcome.smEnable) {
    ctx.smNonza(outcome.smEnable);
    if (outcome.smEnable.name === "enabled") {
      const a = outcome.smEnable.attrs;
      streamManagement = {
        id: a.id,
        max: a.max === undefined ? undefined : Number(a.max),
        resumable: a.resume === "true" || a.resume === "1",
      };
      ctx.log.debug("stream management: enabled", { ...streamManagement });
    }
  }
  return {
    boundJid,
    result: {
      ...base,
      login: info,
      jid: boundJid,
      resumed: false,
      resumeFailed,
      ackedByServer,
      streamManagement,
      carbonsEnabled: outcome.carbons || inlineCarbons,
    },
  };
}

/** The stored token, or undefined when there is none or the store is unreadable (then cleared). */
async function loadToken(ctx: TokenContext): Promise<FastToken | undefined> {
  try {
    const token = await ctx.login.tokenStore.load();
    if (token === undefined) return undefined;
    if (isFastToken(token)) return token;
    throw new ClawXmppError("storage", "the store returned something that is not a FAST token");
  } catch (error) {
    ctx.log.warn("FAST token store unreadable; logging in with the password", {
      error: (error as Error).message,
    });
    await clearToken(ctx);
    return undefined;
  }
}

async function clearToken(ctx: TokenContext): Promise<void> {
  await ctx.login.tokenStore
    .clear()
    .catch((error: unknown) =>
      ctx.log.warn("could not clear the FAST token", { error: (error as Error).message }),
    );
}

/** Saves a new token (or the used one with its count advanced); a failing store only warns. */
async function keepToken(
  ctx: TokenContext,
  run: {
    mechanism: { name: string };
    outcome: Sasl2Outcome;
    requestToken: string | undefined;
    userAgentId: string;
  },
  used: FastToken | undefined,
): Promise<void> {
  const issued = run.outcome.token;
  let next: FastToken | undefined;
  if (issued) {
    next = {
      mechanism: run.requestToken ?? run.mechanism.name,
      token: issued.token,
      expiry: issued.expiry,
      userAgentId: run.userAgentId,
      count: 0,
    };
  } else if (used) {
    next = { ...used, count: used.count + 1 };
  }
  if (!next) return;
  await ctx.login.tokenStore
    .save(next)
    .catch((error: unknown) =>
      ctx.log.warn("could not save the FAST token", { error: (error as Error).message }),
    );
}
