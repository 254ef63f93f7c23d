/**
 * One logical XMPP session that outlives sockets (RFC 6120 §4, XEP-0198):
 * connects, resumes or binds anew, reconnects with backoff after a loss, and
 * keeps the Node process alive while it has work to do (connecting, or
 * waiting to reconnect) until it is stopped. One retry loop serves the first
 * connection and every reconnect.
 */
import { backoffDelay } from "./backoff.js";
import type { ClientEvents, ClientStats, ClientStatus, OnlineInfo } from "./client-api.js";
import type { TimerGroup } from "./clock.js";
import { loginSettings } from "./connection/login-settings.js";
import { xmppTransport } from "./connection/xmpp-transport.js";
import { ClawXmppError } from "./errors.js";
import { type Jid, tryParseJid } from "./jid.js";
import { Keepalive } from "./keepalive.js";
import type { Logger } from "./logger.js";
import type { ResolvedClientOptions } from "./options.js";
import type { OutboundQueue } from "./outbound-queue.js";
import { NS_SM, StreamManagementState } from "./stream-management.js";
import type { TraceFn } from "./trace.js";
import type { LoginSettings, OpenResult, Transport } from "./transport.js";
import { type Element, xml } from "./xml.js";

/** What the session needs from the client. */
export interface SessionDeps {
  options: ResolvedClientOptions;
  account: Jid;
  resource: string;
  logger: Logger;
  timers: TimerGroup;
  now: () => number;
  stats: ClientStats;
  queue: OutboundQueue;
  emit: <K extends keyof ClientEvents & string>(event: K, ...args: ClientEvents[K]) => void;
  /** A stanza arrived (already counted for XEP-0198). */
  onStanza(stanza: Element): void;
  /** A new session (not a resumption) is bound: forget what belonged to the last one. */
  onNewSession(): void;
  /** Sends the setup of a new session (presence, carbons unless enabled inline) into the control lane. */
  setUp(setup: { carbonsEnabled: boolean }): void;
  /** Runs after the queue is flushing; awaited before `online` when it returns a promise. */
  afterUp(resumed: boolean): Promise<void> | undefined;
  /** Sends a keepalive ping. */
  ping(timeout: number): Promise<unknown>;
  /** XML trace sink, resolved once from the option and the environment. */
  trace: TraceFn | undefined;
}

export class Session {
  readonly #deps: SessionDeps;
  readonly #sm = new StreamManagementState();
  readonly #keepalive: Keepalive;
  #status: ClientStatus = "idle";
  /** The transport of the attempt in progress or of the established session. */
  #transport: Transport | undefined;
  /** The transport of the established session (set once open() succeeded). */
  #live: Transport | undefined;
  #jid: Jid | undefined;
  #id = 0;
  #ackTimer: (() => void) | undefined;
  /** Cancels the pending retry delay (rejecting its wait) on stop. */
  #cancelWait: ((error: Error) => void) | undefined;
  /** SASL2/FAST settings, built once so the user-agent id and token store outlive reconnects. */
  readonly #login: LoginSettings;

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    this.#login = loginSettings(deps.options);
    this.#keepalive = new Keepalive({
      clock: {
        now: deps.now,
        setTimeout: (fn, ms) => deps.timers.setTimeout(fn, ms),
        setInterval: (fn, ms) => deps.timers.setInterval(fn, ms),
      },
      ping: () => deps.ping(deps.options.keepalive.timeout),
      dead: () => {
        deps.logger.warn("keepalive: no answer to ping; treating the connection as dead");
        this.#transport?.destroy();
      },
      interval: deps.options.keepalive.interval,
    });
  }

  get status(): ClientStatus {
    return this.#status;
  }
  get jid(): Jid | undefined {
    return this.#jid;
  }
  /** Id of the current (or last) session; a resumption keeps it. */
  get id(): number {
    return this.#id;
  }
  get smEnabled(): boolean {
    return this.#sm.enabled;
  }

  #setStatus(status: ClientStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#deps.emit("status", status);
  }

  /** First connection: resolves online, or rejects (at once, or after retries with `retry`). */
  start(retry: boolean): Promise<OnlineInfo> {
    if (this.#status === "stopped")
      return Promise.reject(new ClawXmppError("stopped", "client was stopped; create a new one"));
    if (this.#status !== "idle")
      return Promise.reject(
        new ClawXmppError("connection", `start() called while ${this.#status}`),
      );
    this.#setStatus("connecting");
    return this.#loop(true, retry, 0);
  }

  /**
   * The one retry loop. `first`: the initial connection (errors go to the caller of start());
   * otherwise a reconnect (errors are reported as `offline` events).
   */
  async #loop(first: boolean, retry: boolean, firstDelay: number): Promise<OnlineInfo> {
    const { options, logger, stats } = this.#deps;
    const outageStart = this.#deps.now();
    // The first delay (announced in `offline`) was attempt 0 of this outage.
    let attempt = firstDelay > 0 ? 1 : 0;
    let delay = firstDelay;
    for (;;) {
      if (delay > 0) await this.#wait(delay);
      if (!first) {
        stats.reconnectAttempts++;
        logger.debug("reconnecting", { attempt, delay });
      }
      try {
        return await this.#connect();
      } catch (error) {
        const err = toError(error);
        if (this.#status === "stopped") throw stoppedError();
        stats.lastError = err;
        const terminal = ClawXmppError.isInstance(err) && err.terminal;
        if (terminal || !retry || !options.reconnect.enabled) {
          if (terminal) logger.error("not reconnecting: terminal error", { error: err.message });
          this.#setStatus("idle");
          if (!first) {
            this.#deps.emit("offline", { error: err, willReconnect: false, retryIn: undefined });
            this.#deps.emit("error", err);
          }
          throw err;
        }
        delay = backoffDelay(options.reconnect, attempt++, this.#deps.now() - outageStart);
        logger.warn(first ? "initial connect failed; retrying" : "reconnect failed; retrying", {
          error: err.message,
          code: ClawXmppError.isInstance(err) ? err.code : undefined,
          retryIn: delay,
          attempt,
        });
        if (!first) this.#deps.emit("offline", { error: err, willReconnect: true, retryIn: delay });
      }
    }
  }

  /** Waits `ms`, keeping the process alive; rejects when the client stops meanwhile. */
  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cancel = this.#deps.timers.setTimeout(
        () => {
          this.#cancelWait = undefined;
          resolve();
        },
        ms,
        { keepAlive: true },
      );
      this.#cancelWait = (error) => {
        cancel();
        this.#cancelWait = undefined;
        reject(error);
      };
    });
  }

  async #connect(): Promise<OnlineInfo> {
    const { options, account, logger } = this.#deps;
    let closed = false;
    const transport = (options.transport ?? xmppTransport)({
      jid: account.bare,
      password: options.password,
      host: options.server ?? account.domain,
      port: options.port ?? (options.tls.mode === "direct" ? 5223 : 5222),
      domain: account.domain,
      tls: options.tls,
      timeouts: options.timeouts,
      // SRV (RFC 6120 §3.2.1) only when the user named neither server nor port.
      srv: options.server === undefined && options.port === undefined ? options.dns : undefined,
      logger,
      trace: this.#deps.trace,
      login: this.#login,
      listener: {
        element: (element) => {
          if (this.#transport === transport) this.#onElement(element);
        },
        closed: (error) => {
          closed = true;
          // A failed login is reported by open() rejecting; only an established session goes offline here.
          if (this.#live === transport) this.#onClosed(error);
        },
      },
    });
    this.#transport = transport;
    const resume = this.#sm.resumeRequest();
    logger.debug(resume ? "connecting to resume the session" : "connecting", {
      server: options.server ?? account.domain,
    });
    let result: OpenResult;
    try {
      result = await transport.open({
        resource: this.#deps.resource,
        enableStreamManagement: true,
        resume,
        carbons: options.carbons,
      });
    } catch (error) {
      if (this.#transport === transport) this.#transport = undefined;
      throw error;
    }
    if (this.#status === "stopped") {
      transport.destroy();
      throw stoppedError();
    }
    if (closed) {
      if (this.#transport === transport) this.#transport = undefined;
      throw new ClawXmppError("connection", "connection lost right after login");
    }
    this.#live = transport;
    return this.#online(result);
  }

  async #online(result: OpenResult): Promise<OnlineInfo> {
    const { stats, queue, logger } = this.#deps;
    stats.mechanism = result.mechanism;
    stats.login = result.login;
    if (result.resumed) {
      stats.resumes++;
    } else {
      this.#jid = tryParseJid(result.jid) ?? this.#jid;
      stats.connects++;
      this.#id++;
      // With XEP-0198 the state was set when <enabled/> arrived, in stream order.
      if (result.streamManagement === undefined) this.#sm.reset();
      this.#deps.onNewSession();
    }
    this.#setStatus("online");
    this.#keepalive.start();
    logger.info(result.resumed ? "session resumed" : "session started", {
      jid: this.#jid?.full ?? result.jid,
      mechanism: result.mechanism,
      streamManagement: this.#sm.enabled,
      reconnectAttempts: stats.reconnectAttempts,
    });
    const info: OnlineInfo = { jid: this.#jid?.full ?? result.jid, resumed: result.resumed };
    // Presence and carbons belong to a new session (a resumed one still has them); they go into
    // the control lane before the backlog is flushed, so they are written first.
    if (!result.resumed) this.#deps.setUp({ carbonsEnabled: result.carbonsEnabled === true });
    void queue.online({
      smEnabled: this.#sm.enabled,
      resumed: result.resumed,
      resumeFailed: result.resumeFailed,
      ackedByServer: result.ackedByServer,
      session: this.#id,
    });
    const after = this.#deps.afterUp(result.resumed);
    if (after) await after;
    // Lost meanwhile: the reconnect loop started by the loss takes over; no `online` for this one.
    if (this.#live === undefined || this.#status !== "online") return info;
    this.#deps.emit("online", info);
    return info;
  }

  #onClosed(error: Error | undefined): void {
    const { stats, queue, options, logger } = this.#deps;
    this.#transport = undefined;
    this.#live = undefined;
    this.#keepalive.stop();
    this.#ackTimer?.();
    this.#ackTimer = undefined;
    queue.offline();
    if (error) stats.lastError = error;
    if (this.#status !== "online") return;
    const terminal = ClawXmppError.isInstance(error) && error.terminal;
    const willReconnect = options.reconnect.enabled && !terminal;
    const retryIn = willReconnect ? backoffDelay(options.reconnect, 0, 0) : undefined;
    logger.info("connection lost", { error: error?.message, willReconnect, retryIn });
    this.#setStatus(willReconnect ? "reconnecting" : "idle");
    this.#deps.emit("offline", { error, willReconnect, retryIn });
    if (retryIn !== undefined) this.#loop(false, true, retryIn).catch(() => {});
  }

  #onElement(element: Element): void {
    this.#keepalive.activity();
    if (element.attrs.xmlns === NS_SM) {
      this.#onSmNonza(element);
      return;
    }
    const name = element.name;
    if (name !== "message" && name !== "presence" && name !== "iq") return;
    this.#sm.countInbound();
    this.#deps.onStanza(element);
  }

  #onSmNonza(element: Element): void {
    if (element.name === "r") {
      void this.#transport?.write([this.#sm.ack()]).catch(() => {});
      return;
    }
    const h = this.#sm.apply(element);
    if (h !== undefined) this.#deps.queue.ack(h);
  }

  /** Writes for the queue; rejects unless a session is online. */
  write(elements: Element[]): Promise<void> {
    const transport = this.#transport;
    if (!transport || this.#status !== "online")
      return Promise.reject(new ClawXmppError("not-connected", "not connected"));
    return transport.write(elements);
  }

  /** Asks the server for an acknowledgement (XEP-0198 §4), one `<r/>` per burst of writes. */
  requestAck(): void {
    if (this.#ackTimer) return;
    this.#ackTimer = this.#deps.timers.setTimeout(() => {
      this.#ackTimer = undefined;
      void this.#transport?.write([xml("r", { xmlns: NS_SM })]).catch(() => {});
    }, 5);
  }

  /** The `<r/>` a batch carries inline; it covers a timed request still pending, so that goes. */
  inlineAckRequest(): Element {
    this.#ackTimer?.();
    this.#ackTimer = undefined;
    return xml("r", { xmlns: NS_SM });
  }

  /** Drops the socket as if the network failed. */
  drop(): void {
    this.#transport?.destroy();
  }

  /**
   * Marks the session stopped (pending starts and retry waits reject with `stopped`); returns
   * whether it was online. The caller then stops plugins and calls {@link close}.
   */
  markStopped(): boolean {
    const wasOnline = this.#status === "online";
    this.#setStatus("stopped");
    this.#cancelWait?.(stoppedError());
    return wasOnline;
  }

  /** Acknowledges what we received and closes the stream (or drops a half-open attempt). */
  async close(wasOnline: boolean): Promise<void> {
    this.#keepalive.stop();
    this.#ackTimer?.();
    this.#ackTimer = undefined;
    const transport = this.#transport;
    this.#transport = undefined;
    this.#live = undefined;
    if (!transport) return;
    if (wasOnline) {
      // Acknowledge what we got so the server does not redeliver it to the next session.
      if (this.#sm.enabled) await transport.write([this.#sm.ack()]).catch(() => {});
      await transport.close();
    } else transport.destroy();
  }
}

function stoppedError(): ClawXmppError {
  return new ClawXmppError("stopped", "client was stopped");
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
