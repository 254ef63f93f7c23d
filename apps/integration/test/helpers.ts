/** Small helpers shared by the integration suites: the test kit's waits with these suites' defaults. */
import { type Client, type ClientEvents, type IqCaller, xml } from "@clawxmpp/core";
import { nextEvent as kitNextEvent, until as kitUntil } from "@clawxmpp/test";

/** Resolves with the first `event` whose payload passes `match`, or rejects after `ms`. */
export async function nextEvent<T>(
  client: Client,
  event: keyof ClientEvents & string,
  match: (value: T) => boolean = () => true,
  ms = 10_000,
): Promise<T> {
  const [value] = await kitNextEvent(client, event, {
    timeout: ms,
    filter: (payload) => match(payload as T),
  });
  return value as T;
}

/** Waits until `predicate` is true, polling every 20 ms. */
export async function until(
  predicate: () => boolean,
  ms = 10_000,
  what = "condition",
): Promise<void> {
  await kitUntil(predicate, { timeout: ms, interval: 20, message: what });
}

/** The room's owner submits the XEP-0045 §10.2 configuration form with `fields`. */
export async function configureRoom(
  iq: IqCaller,
  room: string,
  fields: Record<string, string>,
): Promise<void> {
  await iq.set(
    xml(
      "query",
      { xmlns: "http://jabber.org/protocol/muc#owner" },
      xml(
        "x",
        { xmlns: "jabber:x:data", type: "submit" },
        xml(
          "field",
          { var: "FORM_TYPE" },
          xml("value", {}, "http://jabber.org/protocol/muc#roomconfig"),
        ),
        ...Object.entries(fields).map(([name, value]) =>
          xml("field", { var: name }, xml("value", {}, value)),
        ),
      ),
    ),
    room,
  );
}
