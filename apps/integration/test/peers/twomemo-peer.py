#!/usr/bin/python3
"""
A scripted OMEMO 2 peer (XEP-0384 0.8, urn:xmpp:omemo:2, with XEP-0420
stanza content encryption) for interop tests of @clawxmpp/omemo, built only
from Debian packages: python3-slixmpp (XMPP), python3-omemo + python3-twomemo
(the independent python-omemo implementation) and python3-xmlschema. The
SCE envelope is built and checked here (python-omemo encrypts bytes).

It publishes its device list and bundle (access_model=open), trusts every
device blindly, optionally joins a room (--room), and echoes: every
decrypted message with a body is answered, encrypted, with "echo: <text>"
(to the room for room messages). A body "please react and correct" is
answered with an encrypted reaction (XEP-0444) to that message, then the
echo, then an encrypted correction (XEP-0308) of the echo. With --send JID
TEXT it sends one message and stays in echo mode.

Lines on stdout for the test harness:
  READY <device id> <fingerprint>
  JOINED <room>
  RECV <bare jid> <device id> <text>             a body decrypted
  REACTION <bare jid> <message id> <emojis>       an encrypted reaction
  CORRECTION <bare jid> <replaced id> <text>      an encrypted correction
  SENT <to>
  ERROR <what> <details>
"""
import argparse
import asyncio
import logging
import secrets
import sys
import traceback
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, List, Optional

import omemo
import twomemo
import twomemo.etree
from omemo.storage import Just, Maybe, Nothing
from slixmpp import ClientXMPP
from slixmpp.jid import JID

NS = twomemo.twomemo.NAMESPACE
DEVICES_NODE = "urn:xmpp:omemo:2:devices"
BUNDLES_NODE = "urn:xmpp:omemo:2:bundles"
SCE = "urn:xmpp:sce:1"
CLIENT = "jabber:client"
NS_REACTIONS = "urn:xmpp:reactions:0"
NS_CORRECT = "urn:xmpp:message-correct:0"


def say(*parts: Any) -> None:
    print(" ".join(str(p) for p in parts), flush=True)
    if parts and parts[0] == "ERROR" and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)


class Storage(omemo.Storage):
    def __init__(self) -> None:
        super().__init__()
        self.data: Dict[str, Any] = {}

    async def _load(self, key: str) -> Maybe[omemo.JSONType]:
        return Just(self.data[key]) if key in self.data else Nothing()

    async def _store(self, key: str, value: omemo.JSONType) -> None:
        self.data[key] = value

    async def _delete(self, key: str) -> None:
        self.data.pop(key, None)


class SessionManager(omemo.SessionManager):
    xmpp: "Peer"

    @staticmethod
    async def _upload_bundle(bundle: omemo.Bundle) -> None:
        assert isinstance(bundle, twomemo.twomemo.BundleImpl)
        await SessionManager.xmpp.publish_open(
            BUNDLES_NODE, twomemo.etree.serialize_bundle(bundle), str(bundle.device_id), max_items=True
        )

    @staticmethod
    async def _download_bundle(namespace: str, bare_jid: str, device_id: int) -> omemo.Bundle:
        try:
            iq = await SessionManager.xmpp.plugin["xep_0060"].get_item(bare_jid, BUNDLES_NODE, str(device_id))
        except Exception as error:  # noqa: BLE001
            raise omemo.BundleDownloadFailed(str(error)) from error
        for item in iq["pubsub"]["items"]:
            payload = item.get_payload()
            if payload is not None:
                return twomemo.etree.parse_bundle(payload, bare_jid, device_id)
        raise omemo.BundleNotFound(f"no bundle for {bare_jid}:{device_id}")

    @staticmethod
    async def _delete_bundle(namespace: str, device_id: int) -> None:
        return None

    @staticmethod
    async def _upload_device_list(namespace: str, device_list: Dict[int, Optional[str]]) -> None:
        await SessionManager.xmpp.publish_open(
            DEVICES_NODE, twomemo.etree.serialize_device_list(device_list), "current"
        )

    @staticmethod
    async def _download_device_list(namespace: str, bare_jid: str) -> Dict[int, Optional[str]]:
        try:
            iq = await SessionManager.xmpp.plugin["xep_0060"].get_items(bare_jid, DEVICES_NODE, max_items=1)
        except Exception as error:  # noqa: BLE001
            # Prosody answers forbidden for a PEP node an account never created (no subscription).
            if "item-not-found" in str(error) or "forbidden" in str(error):
                return {}
            raise omemo.DeviceListDownloadFailed(str(error)) from error
        for item in iq["pubsub"]["items"]:
            payload = item.get_payload()
            if payload is not None:
                return twomemo.etree.parse_device_list(payload)
        return {}

    async def _evaluate_custom_trust_level(self, device: omemo.DeviceInformation) -> omemo.TrustLevel:
        return omemo.TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided: FrozenSet[omemo.DeviceInformation], identifier: Optional[str]) -> None:
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, "blind")

    @staticmethod
    async def _send_message(message: omemo.Message, bare_jid: str) -> None:
        await SessionManager.xmpp.send_encrypted(bare_jid, message, "chat", body=False)


def envelope(content: List[ET.Element], sender: str, to: str) -> bytes:
    root = ET.Element(f"{{{SCE}}}envelope")
    holder = ET.SubElement(root, f"{{{SCE}}}content")
    holder.extend(content)
    ET.SubElement(root, f"{{{SCE}}}rpad").text = secrets.token_hex(secrets.randbelow(40) + 1)
    ET.SubElement(root, f"{{{SCE}}}time").set("stamp", datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"))
    ET.SubElement(root, f"{{{SCE}}}to").set("jid", to)
    ET.SubElement(root, f"{{{SCE}}}from").set("jid", sender)
    return ET.tostring(root)


def open_envelope(data: bytes, sender: str, to: str, room: bool) -> ET.Element:
    """Parses the envelope and checks its affixes as XEP-0420 asks."""
    root = ET.fromstring(data)
    if root.tag != f"{{{SCE}}}envelope":
        raise ValueError(f"not an SCE envelope: {root.tag}")
    got_from = root.find(f"{{{SCE}}}from")
    if got_from is None or JID(got_from.get("jid")).bare != JID(sender).bare:
        raise ValueError("SCE <from> does not name the sender")
    got_to = root.find(f"{{{SCE}}}to")
    if got_to is None and room:
        raise ValueError("SCE <to> missing in a room")
    if got_to is not None and JID(got_to.get("jid")).bare != JID(to).bare:
        raise ValueError("SCE <to> does not name the recipient")
    if root.find(f"{{{SCE}}}rpad") is None:
        raise ValueError("SCE <rpad> missing")
    content = root.find(f"{{{SCE}}}content")
    if content is None:
        raise ValueError("SCE <content> missing")
    return content


def body(text: str) -> ET.Element:
    element = ET.Element(f"{{{CLIENT}}}body")
    element.text = text
    return element


class Peer(ClientXMPP):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args.jid, args.password)
        self.args = args
        self.bare = JID(args.jid).bare
        self.manager: Optional[SessionManager] = None
        for plugin in ("xep_0030", "xep_0004", "xep_0045", "xep_0060", "xep_0163", "xep_0199"):
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        if args.ca:
            self.ca_certs = args.ca

    async def publish_open(self, node: str, payload: ET.Element, item_id: str, max_items: bool = False) -> None:
        form = self.plugin["xep_0004"].make_form(ftype="submit")
        form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
        form.add_field(var="pubsub#access_model", value="open")
        if max_items:
            form.add_field(var="pubsub#max_items", value="max")
        await self.plugin["xep_0060"].publish(self.bare, node, id=item_id, payload=payload, options=form)

    async def send_encrypted(self, to: str, message: omemo.Message, mtype: str, body: bool = True, mid: Optional[str] = None) -> None:
        stanza = self.make_message(mto=to, mtype=mtype)
        if mid:
            stanza["id"] = mid
        stanza.xml.append(twomemo.etree.serialize_message(message))
        ET.SubElement(stanza.xml, "{urn:xmpp:hints}store")
        encryption = ET.SubElement(stanza.xml, "{urn:xmpp:eme:0}encryption")
        encryption.set("namespace", NS)
        encryption.set("name", "OMEMO")
        if body:
            stanza["body"] = "[OMEMO 2 encrypted]"
        stanza.send()

    def room_members(self, room: str) -> FrozenSet[str]:
        muc = self.plugin["xep_0045"]
        jids = set()
        for nick in muc.get_roster(JID(room)):
            real = muc.get_jid_property(JID(room), nick, "jid")
            if real is None:
                raise RuntimeError(f"{room} hides the real JID of {nick}")
            if JID(real).bare != self.bare:
                jids.add(JID(real).bare)
        return frozenset(jids)

    async def encrypt_and_send(self, to: str, content: List[ET.Element], mid: Optional[str] = None) -> None:
        assert self.manager is not None
        in_room = self.args.room is not None and JID(to).bare == JID(self.args.room).bare
        recipients = self.room_members(to) if in_room else frozenset([to])
        for jid in recipients:
            await self.manager.refresh_device_list(NS, jid)
        data = envelope(content, self.bare, to)
        try:
            messages, errors = await self.manager.encrypt(recipients, {NS: data})
        except omemo.NoEligibleDevices as error:
            # In a room of mixed clients, members without a device of our OMEMO version are left out.
            say("ERROR", "encrypt", "no eligible device of", ",".join(sorted(error.bare_jids)))
            recipients = recipients - error.bare_jids
            if not recipients:
                return
            messages, errors = await self.manager.encrypt(recipients, {NS: data})
        for error in errors:
            say("ERROR", "encrypt", f"{error.bare_jid}:{error.device_id}", repr(error.exception))
        for message in messages:
            # A fallback body always (as clients send it; Prosody drops body-less chat messages to bare JIDs).
            await self.send_encrypted(to, message, "groupchat" if in_room else "chat", mid=mid)
            say("SENT", to)

    async def on_start(self, _event: Any) -> None:
        try:
            self.send_presence()
            SessionManager.xmpp = self
            storage = Storage()
            self.manager = await SessionManager.create([twomemo.Twomemo(storage)], storage, self.bare, None, "blind")
            own, _others = await self.manager.get_own_device_information()
            say("READY", own.device_id, "".join(self.manager.format_identity_key(own.identity_key)).lower())
            if self.args.room:
                room = JID(self.args.room)
                await self.plugin["xep_0045"].join_muc_wait(room, self.args.nick or JID(self.args.jid).user, maxstanzas=0)
                say("JOINED", room.bare)
            if self.args.send:
                target, text = self.args.send
                await self.encrypt_and_send(JID(target).bare, [body(text)])
        except Exception as error:  # noqa: BLE001
            say("ERROR", "start", repr(error))

    async def on_message(self, stanza: Any) -> None:
        element = stanza.xml.find(f"{{{NS}}}encrypted")
        if element is None or self.manager is None:
            return
        sender = stanza["from"].bare
        reply_to = sender
        room = stanza["type"] == "groupchat"
        if room:
            muc = self.plugin["xep_0045"]
            nick = stanza["from"].resource
            if nick == muc.get_our_jid_in_room(stanza["from"].bare).split("/")[-1]:
                return
            real = muc.get_jid_property(JID(sender), nick, "jid")
            if real is None:
                say("ERROR", "decrypt", stanza["from"], "no real JID for this occupant")
                return
            sender = JID(real).bare
        try:
            message = twomemo.etree.parse_message(element, sender)
            plaintext, device, _ = await self.manager.decrypt(message)
            if plaintext is None:
                say("EMPTY", sender)
                return
            content = open_envelope(plaintext, sender, reply_to if room else self.bare, room)
        except Exception as error:  # noqa: BLE001
            say("ERROR", "decrypt", sender, repr(error))
            return
        reactions = content.find(f"{{{NS_REACTIONS}}}reactions")
        if reactions is not None:
            emojis = "".join(r.text or "" for r in reactions.findall(f"{{{NS_REACTIONS}}}reaction"))
            say("REACTION", sender, reactions.get("id"), emojis)
        text_element = content.find(f"{{{CLIENT}}}body")
        text = None if text_element is None else (text_element.text or "")
        replace = content.find(f"{{{NS_CORRECT}}}replace")
        if replace is not None:
            say("CORRECTION", sender, replace.get("id"), text)
            return
        if text is None:
            return
        say("RECV", sender, device.device_id, text)
        if text.startswith("echo:"):
            return
        if text == "please react and correct":
            reaction = ET.Element(f"{{{NS_REACTIONS}}}reactions", {"id": stanza["id"]})
            ET.SubElement(reaction, f"{{{NS_REACTIONS}}}reaction").text = "👍"
            await self.encrypt_and_send(reply_to, [reaction])
            echo_id = "echo-" + secrets.token_hex(4)
            await self.encrypt_and_send(reply_to, [body(f"echo: {text}")], mid=echo_id)
            correction = ET.Element(f"{{{NS_CORRECT}}}replace", {"id": echo_id})
            await self.encrypt_and_send(reply_to, [body("echo: corrected"), correction])
            return
        await self.encrypt_and_send(reply_to, [body(f"echo: {text}")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--ca")
    parser.add_argument("--room")
    parser.add_argument("--nick")
    parser.add_argument("--send", nargs=2, metavar=("JID", "TEXT"))
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, stream=sys.stderr)
    peer = Peer(args)
    peer.connect(address=(args.host, args.port))
    asyncio.get_event_loop().run_until_complete(peer.disconnected)


if __name__ == "__main__":
    main()
