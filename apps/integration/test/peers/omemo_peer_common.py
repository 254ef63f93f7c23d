"""
What the two scripted OMEMO peers share: oldmemo-peer.py (XEP-0384 0.3,
python3-oldmemo) and twomemo-peer.py (OMEMO 2, python3-twomemo), both on
python3-slixmpp and python3-omemo from Debian.

  say                  the one-line-per-event stdout protocol of the harness
  Storage              python-omemo's key-value storage (memory, optional JSON file)
  BlindSessionManager  python-omemo hooks: device lists over PEP, blind trust
  OmemoPeer            the slixmpp client: open PEP publishing, encrypting for
                       a contact or the real JIDs of a non-anonymous room,
                       the real sender of a room message
  argument_parser, parse_args  the options both scripts take

A script subclasses OmemoPeer with its version's namespace (NS), XML helpers
(ETREE: oldmemo.etree or twomemo.etree), device-list node and fallback body,
and BlindSessionManager with its bundle transport.
"""
import argparse
import json
import logging
import os
import sys
import traceback
import xml.etree.ElementTree as ET
from types import ModuleType
from typing import Any, Callable, Dict, FrozenSet, Optional, Sequence, Tuple, Type

import omemo
from omemo.storage import Just, Maybe, Nothing
from slixmpp import ClientXMPP
from slixmpp.jid import JID

# The plugins both peers use; a script may register more.
PLUGINS = ("xep_0030", "xep_0004", "xep_0045", "xep_0060", "xep_0163", "xep_0199")


def say(*parts: Any) -> None:
    print(" ".join(str(p) for p in parts), flush=True)
    if parts and parts[0] == "ERROR" and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)


class Storage(omemo.Storage):
    """python-omemo's key-value storage, in memory, optionally mirrored to a JSON file."""

    def __init__(self, path: Optional[str] = None) -> None:
        super().__init__()
        self.path = path
        self.data: Dict[str, Any] = {}
        if path and os.path.exists(path):
            with open(path, encoding="utf8") as f:
                self.data = json.load(f)

    def _save(self) -> None:
        if not self.path:
            return
        temp = f"{self.path}.tmp"
        with open(temp, "w", encoding="utf8") as f:
            json.dump(self.data, f)
        os.replace(temp, self.path)

    async def _load(self, key: str) -> Maybe[omemo.JSONType]:
        return Just(self.data[key]) if key in self.data else Nothing()

    async def _store(self, key: str, value: omemo.JSONType) -> None:
        self.data[key] = value
        self._save()

    async def _delete(self, key: str) -> None:
        self.data.pop(key, None)
        self._save()


class BlindSessionManager(omemo.SessionManager):
    """Connects python-omemo to PEP and messages through the peer; a subclass adds the bundle hooks."""

    xmpp: "OmemoPeer"

    @staticmethod
    async def _delete_bundle(namespace: str, device_id: int) -> None:
        return None

    @staticmethod
    async def _upload_device_list(namespace: str, device_list: Dict[int, Optional[str]]) -> None:
        xmpp = BlindSessionManager.xmpp
        await xmpp.publish_open(xmpp.DEVICE_LIST_NODE, xmpp.ETREE.serialize_device_list(device_list), "current")

    @staticmethod
    async def _download_device_list(namespace: str, bare_jid: str) -> Dict[int, Optional[str]]:
        xmpp = BlindSessionManager.xmpp
        try:
            payload = await xmpp.fetch_current(bare_jid, xmpp.DEVICE_LIST_NODE)
        except Exception as error:  # noqa: BLE001
            # Prosody answers forbidden for a PEP node an account never created (no subscription).
            if "item-not-found" in str(error) or "forbidden" in str(error):
                return {}
            raise omemo.DeviceListDownloadFailed(str(error)) from error
        return {} if payload is None else xmpp.ETREE.parse_device_list(payload)

    async def _evaluate_custom_trust_level(self, device: omemo.DeviceInformation) -> omemo.TrustLevel:
        # Blind trust: a test peer accepts every device it meets.
        return omemo.TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided: FrozenSet[omemo.DeviceInformation], identifier: Optional[str]) -> None:
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, "blind")

    @staticmethod
    async def _send_message(message: omemo.Message, bare_jid: str) -> None:
        await BlindSessionManager.xmpp.send_encrypted(bare_jid, message, "chat", body=False)


class OmemoPeer(ClientXMPP):
    """The slixmpp client of a peer; subclasses set the class attributes below and the event handlers."""

    NS: str  # the OMEMO version's namespace
    ETREE: ModuleType  # its XML helpers (oldmemo.etree or twomemo.etree)
    DEVICE_LIST_NODE: str
    FALLBACK: str  # the body of an encrypted message, for clients without OMEMO

    def __init__(self, args: argparse.Namespace, plugins: Sequence[str] = PLUGINS) -> None:
        super().__init__(args.jid, args.password)
        self.args = args
        self.bare = JID(args.jid).bare
        self.manager: Optional[BlindSessionManager] = None
        for plugin in plugins:
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        if args.ca:
            self.ca_certs = args.ca

    async def on_start(self, _event: Any) -> None:
        raise NotImplementedError

    async def on_message(self, stanza: Any) -> None:
        raise NotImplementedError

    async def start_session(
        self,
        manager: Type[BlindSessionManager],
        backend: Callable[[omemo.Storage], omemo.Backend],
        storage: omemo.Storage,
    ) -> None:
        """Sends presence, creates the session manager (it publishes our device list and bundle), prints READY."""
        self.send_presence()
        BlindSessionManager.xmpp = self
        self.manager = await manager.create([backend(storage)], storage, self.bare, None, "blind")
        own, _others = await self.manager.get_own_device_information()
        say("READY", own.device_id, "".join(self.manager.format_identity_key(own.identity_key)).lower())

    async def publish_open(
        self, node: str, payload: ET.Element, item_id: Optional[str] = None, max_items: bool = False
    ) -> None:
        form = self.plugin["xep_0004"].make_form(ftype="submit")
        form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
        form.add_field(var="pubsub#access_model", value="open")
        if max_items:
            form.add_field(var="pubsub#max_items", value="max")
        await self.plugin["xep_0060"].publish(self.bare, node, id=item_id, payload=payload, options=form)

    async def fetch_current(self, jid: str, node: str) -> Optional[ET.Element]:
        iq = await self.plugin["xep_0060"].get_items(jid, node, max_items=1)
        return first_payload(iq)

    async def send_encrypted(
        self, to: str, message: omemo.Message, mtype: str, body: bool = True, mid: Optional[str] = None
    ) -> None:
        stanza = self.make_message(mto=to, mtype=mtype)
        if mid:
            stanza["id"] = mid
        stanza.xml.append(self.ETREE.serialize_message(message))
        ET.SubElement(stanza.xml, "{urn:xmpp:hints}store")
        encryption = ET.SubElement(stanza.xml, "{urn:xmpp:eme:0}encryption")
        encryption.set("namespace", self.NS)
        encryption.set("name", "OMEMO")
        if body:
            stanza["body"] = self.FALLBACK
        stanza.send()

    def room_members(self, room: str) -> FrozenSet[str]:
        """Real bare JIDs of the other occupants (a semi-anonymous room hides them: an error)."""
        muc = self.plugin["xep_0045"]
        jids = set()
        for nick in muc.get_roster(JID(room)):
            real = muc.get_jid_property(JID(room), nick, "jid")
            if real is None:
                raise RuntimeError(f"{room} does not show the real JID of {nick}: not a non-anonymous room")
            if JID(real).bare != self.bare:
                jids.add(JID(real).bare)
        return frozenset(jids)

    def in_room(self, to: str) -> bool:
        return self.args.room is not None and JID(to).bare == JID(self.args.room).bare

    async def encrypt_and_send_bytes(self, to: str, data: bytes, mid: Optional[str] = None) -> None:
        """Encrypts `data` for `to` (every other occupant when `to` is our room) and sends it."""
        assert self.manager is not None
        in_room = self.in_room(to)
        recipients = self.room_members(to) if in_room else frozenset([to])
        # python-omemo only knows device lists it was told about (PEP notifications); fetch them now.
        for jid in recipients:
            await self.manager.refresh_device_list(self.NS, jid)
        try:
            messages, errors = await self.manager.encrypt(recipients, {self.NS: data})
        except omemo.NoEligibleDevices as error:
            # In a room of mixed clients, members without a device of our OMEMO version are left out.
            say("ERROR", "encrypt", "no eligible device of", ",".join(sorted(error.bare_jids)))
            recipients = recipients - error.bare_jids
            if not recipients:
                return
            messages, errors = await self.manager.encrypt(recipients, {self.NS: data})
        for error in errors:
            say("ERROR", "encrypt", f"{error.bare_jid}:{error.device_id}", repr(error.exception))
        for message in messages:
            # A fallback body always (as clients send it; Prosody drops body-less chat messages to bare JIDs).
            await self.send_encrypted(to, message, "groupchat" if in_room else "chat", mid=mid)
            say("SENT", to)

    async def join_room(self, configure: bool = False) -> None:
        """Joins --room; `configure` (as its owner) makes it non-anonymous."""
        room = JID(self.args.room)
        muc = self.plugin["xep_0045"]
        await muc.join_muc_wait(room, self.args.nick or JID(self.args.jid).user, maxstanzas=0)
        if configure:
            form = await muc.get_room_config(room)
            form.get_fields()["muc#roomconfig_whois"]["value"] = "anyone"
            await muc.set_room_config(room, form)
        say("JOINED", room.bare)

    async def parse_message(self, element: ET.Element, sender: str) -> omemo.Message:
        """The version's <encrypted/> element as python-omemo's message."""
        raise NotImplementedError

    async def decrypt_message(self, stanza: Any) -> Optional[Tuple[str, Any, Optional[bytes]]]:
        """Decrypts an incoming OMEMO message: its sender's real bare JID, the sending device and the
        plaintext (None for key transport). None when there is nothing to decrypt (no element, no
        session yet, our own room message) or it failed (an ERROR line is printed)."""
        element = stanza.xml.find(f"{{{self.NS}}}encrypted")
        if element is None or self.manager is None:
            return None
        sender = stanza["from"].bare
        if stanza["type"] == "groupchat":
            muc = self.plugin["xep_0045"]
            nick = stanza["from"].resource
            if nick == muc.get_our_jid_in_room(stanza["from"].bare).split("/")[-1]:
                return None  # our own message, reflected by the room
            real = muc.get_jid_property(JID(sender), nick, "jid")
            if real is None:
                say("ERROR", "decrypt", stanza["from"], "no real JID for this occupant")
                return None
            sender = JID(real).bare
        try:
            message = await self.parse_message(element, sender)
            plaintext, device, _ = await self.manager.decrypt(message)
        except Exception as error:  # noqa: BLE001 - report and keep serving
            say("ERROR", "decrypt", sender, repr(error))
            return None
        return sender, device, plaintext

def first_payload(iq: Any) -> Optional[ET.Element]:
    """The payload of the first item of a pubsub items answer that has one."""
    for item in iq["pubsub"]["items"]:
        payload = item.get_payload()
        if payload is not None:
            return payload
    return None


def argument_parser(description: Optional[str]) -> argparse.ArgumentParser:
    """The options both peers take; a script adds its own before parse_args."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--ca", help="PEM file of the CA that signed the server certificate")
    parser.add_argument("--room", help="MUC room to join (non-anonymous)")
    parser.add_argument("--nick", help="nickname in the room (default: the JID's user part)")
    parser.add_argument("--send", nargs=2, metavar=("JID", "TEXT"))
    parser.add_argument("--debug", action="store_true")
    return parser


def parse_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, stream=sys.stderr)
    return args
