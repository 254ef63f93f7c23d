#!/usr/bin/python3
"""
A scripted legacy-OMEMO peer (XEP-0384 0.3, eu.siacs.conversations.axolotl)
for interop tests of @clawxmpp/omemo, built only from Debian packages:
python3-slixmpp (XMPP), python3-omemo + python3-oldmemo (the independent
python-omemo implementation) and python3-xmlschema (oldmemo's XML helpers).

It logs in, publishes its device list and bundle with access_model=open,
blindly trusts every device, and then:
  echo mode (default): decrypts every OMEMO message and answers it,
      encrypted, with "echo: <text>";
  --send JID TEXT: sends one encrypted message to JID and waits (--wait s)
      for an encrypted answer.
  --send-file JID PATH: uploads PATH encrypted (XEP-0454 aesgcm://, through
      the server's XEP-0363 upload service), sends the URL encrypted to JID,
      and waits for an answer. A received aesgcm:// URL is downloaded and
      decrypted (FILE line); in echo mode the file is uploaded again and its
      new URL sent back.
  --room ROOM (optionally --nick, --configure-room): joins a MUC room too;
      room messages are encrypted for the real JIDs of the other occupants
      (the room must be non-anonymous; --configure-room makes it so when we
      own it), echoes go to the room, and --send ROOM TEXT sends there.

It prints one line per event on stdout for the test harness:
  READY <device id> <fingerprint>        after publishing
  JOINED <room>                          the room is joined (and configured)
  RECV <bare jid> <device id> <text>     an OMEMO message decrypted (bare jid: the real one in rooms)
  SENT <bare jid or room>                an OMEMO message sent
  FILE <bare jid> <sha256 hex> <bytes>   an aesgcm:// file received and decrypted
  ERROR <what> <details>                 something failed (the peer keeps going)

Run with Debian's interpreter (/usr/bin/python3): the packages live in its
dist-packages. State is kept in memory unless --state FILE is given.
"""
import argparse
import asyncio
import hashlib
import io
import json
import logging
import os
import sys
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, FrozenSet, Optional

import omemo
import oldmemo
import oldmemo.etree
from aiohttp import ClientSession
from omemo.storage import Just, Maybe, Nothing
from slixmpp import ClientXMPP
from slixmpp.jid import JID

NS = oldmemo.oldmemo.NAMESPACE
DEVICE_LIST_NODE = f"{NS}.devicelist"
BUNDLE_NODE = f"{NS}.bundles"
FALLBACK = "I sent you an OMEMO encrypted message but your client doesn't seem to support that."


def say(*parts: Any) -> None:
    print(" ".join(str(p) for p in parts), flush=True)
    if parts and parts[0] == "ERROR" and sys.exc_info()[0] is not None:
        traceback.print_exc(file=sys.stderr)


class Storage(omemo.Storage):
    """python-omemo's key-value storage, in memory, optionally mirrored to a JSON file."""

    def __init__(self, path: Optional[str]) -> None:
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


class SessionManager(omemo.SessionManager):
    """Connects python-omemo to PEP and messages through slixmpp."""

    xmpp: "Peer"

    @classmethod
    def bind(cls, xmpp: "Peer") -> None:
        cls.xmpp = xmpp

    @staticmethod
    async def _upload_bundle(bundle: omemo.Bundle) -> None:
        xmpp = SessionManager.xmpp
        assert isinstance(bundle, oldmemo.oldmemo.BundleImpl)
        await xmpp.publish_open(f"{BUNDLE_NODE}:{bundle.device_id}", oldmemo.etree.serialize_bundle(bundle))

    @staticmethod
    async def _download_bundle(namespace: str, bare_jid: str, device_id: int) -> omemo.Bundle:
        xmpp = SessionManager.xmpp
        try:
            payload = await xmpp.fetch_current(bare_jid, f"{BUNDLE_NODE}:{device_id}")
        except Exception as error:  # noqa: BLE001 - any failure is a download failure for python-omemo
            raise omemo.BundleDownloadFailed(str(error)) from error
        if payload is None:
            raise omemo.BundleNotFound(f"no bundle for {bare_jid}:{device_id}")
        return oldmemo.etree.parse_bundle(payload, bare_jid, device_id)

    @staticmethod
    async def _delete_bundle(namespace: str, device_id: int) -> None:
        return None

    @staticmethod
    async def _upload_device_list(namespace: str, device_list: Dict[int, Optional[str]]) -> None:
        xmpp = SessionManager.xmpp
        await xmpp.publish_open(DEVICE_LIST_NODE, oldmemo.etree.serialize_device_list(device_list), "current")

    @staticmethod
    async def _download_device_list(namespace: str, bare_jid: str) -> Dict[int, Optional[str]]:
        xmpp = SessionManager.xmpp
        try:
            payload = await xmpp.fetch_current(bare_jid, DEVICE_LIST_NODE)
        except Exception as error:  # noqa: BLE001
            # Prosody answers forbidden for a PEP node an account never created (no subscription).
            if "item-not-found" in str(error) or "forbidden" in str(error):
                return {}
            raise omemo.DeviceListDownloadFailed(str(error)) from error
        return {} if payload is None else oldmemo.etree.parse_device_list(payload)

    async def _evaluate_custom_trust_level(self, device: omemo.DeviceInformation) -> omemo.TrustLevel:
        # Blind trust: a test peer accepts every device it meets.
        return omemo.TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided: FrozenSet[omemo.DeviceInformation], identifier: Optional[str]) -> None:
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, "blind")

    @staticmethod
    async def _send_message(message: omemo.Message, bare_jid: str) -> None:
        await SessionManager.xmpp.send_omemo(bare_jid, message, body=False)


class Peer(ClientXMPP):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args.jid, args.password)
        self.args = args
        self.bare = JID(args.jid).bare
        self.manager: Optional[SessionManager] = None
        self.done = asyncio.Event()
        self.failed = False
        for plugin in ("xep_0030", "xep_0004", "xep_0045", "xep_0060", "xep_0163", "xep_0199", "xep_0363", "xep_0454"):
            self.register_plugin(plugin)
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("message", self.on_message)
        if args.ca:
            self.ca_certs = args.ca

    async def publish_open(self, node: str, payload: ET.Element, item_id: Optional[str] = None) -> None:
        form = self.plugin["xep_0004"].make_form(ftype="submit")
        form.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
        form.add_field(var="pubsub#access_model", value="open")
        await self.plugin["xep_0060"].publish(self.bare, node, id=item_id, payload=payload, options=form)

    async def fetch_current(self, jid: str, node: str) -> Optional[ET.Element]:
        iq = await self.plugin["xep_0060"].get_items(jid, node, max_items=1)
        for item in iq["pubsub"]["items"]:
            payload = item.get_payload()
            if payload is not None:
                return payload
        return None

    async def send_omemo(self, to: str, message: omemo.Message, body: bool = True, mtype: str = "chat") -> None:
        stanza = self.make_message(mto=to, mtype=mtype)
        stanza.xml.append(oldmemo.etree.serialize_message(message))
        ET.SubElement(stanza.xml, "{urn:xmpp:hints}store")
        encryption = ET.SubElement(stanza.xml, "{urn:xmpp:eme:0}encryption")
        encryption.set("namespace", NS)
        encryption.set("name", "OMEMO")
        if body:
            stanza["body"] = FALLBACK
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

    async def encrypt_and_send(self, to: str, text: str) -> None:
        assert self.manager is not None
        in_room = self.args.room is not None and JID(to).bare == JID(self.args.room).bare
        recipients = self.room_members(to) if in_room else frozenset([to])
        # python-omemo only knows device lists it was told about (PEP notifications); fetch them now.
        for jid in recipients:
            await self.manager.refresh_device_list(NS, jid)
        try:
            messages, errors = await self.manager.encrypt(recipients, {NS: text.encode("utf8")})
        except omemo.NoEligibleDevices as error:
            # In a room of mixed clients, members without a device of our OMEMO version are left out.
            say("ERROR", "encrypt", "no eligible device of", ",".join(sorted(error.bare_jids)))
            recipients = recipients - error.bare_jids
            if not recipients:
                return
            messages, errors = await self.manager.encrypt(recipients, {NS: text.encode("utf8")})
        for error in errors:
            say("ERROR", "encrypt", f"{error.bare_jid}:{error.device_id}", repr(error.exception))
        for message in messages:
            await self.send_omemo(to, message, mtype="groupchat" if in_room else "chat")
            say("SENT", to)

    async def upload_encrypted(self, data: bytes, name: str) -> str:
        """Uploads `data` encrypted (XEP-0454); returns the aesgcm:// URL."""
        upload = self.plugin["xep_0363"]
        if upload.upload_service is None:
            # slixmpp 1.8.3's discovery passes coroutines to asyncio.wait, which Python 3.11 refuses.
            items = await self.plugin["xep_0030"].get_items(jid=JID(self.bare).domain)
            for item in items["disco_items"]["items"]:
                info = await self.plugin["xep_0030"].get_info(jid=item[0])
                if "urn:xmpp:http:upload:0" in info["disco_info"]["features"]:
                    upload.upload_service = JID(item[0])
                    break
            else:
                raise RuntimeError("no XEP-0363 upload service on our server")
        # slixmpp's own XEP-0454 helper refuses http:// slots; the test server serves uploads over loopback http.
        payload, fragment = self.plugin["xep_0454"].encrypt(input_file=io.BytesIO(data))
        url = await self.plugin["xep_0363"].upload_file(
            Path(name), size=len(payload), content_type="application/octet-stream", input_file=io.BytesIO(payload)
        )
        return "aesgcm://" + url.split("://", 1)[1] + "#" + fragment

    async def download_decrypted(self, url: str) -> bytes:
        """Fetches an aesgcm:// URL over HTTPS and decrypts it (the tag is the last 16 bytes)."""
        location, fragment = url[len("aesgcm://"):].split("#", 1)
        async with ClientSession() as session:
            async with session.get(f"{self.args.download_scheme}://{location}") as response:
                if response.status >= 400:
                    raise RuntimeError(f"download failed: HTTP {response.status}")
                data = await response.read()
        return self.plugin["xep_0454"].decrypt(io.BytesIO(data), fragment)

    async def join_room(self) -> None:
        room = JID(self.args.room)
        muc = self.plugin["xep_0045"]
        await muc.join_muc_wait(room, self.args.nick or JID(self.args.jid).user, maxstanzas=0)
        if self.args.configure_room:
            form = await muc.get_room_config(room)
            form.get_fields()["muc#roomconfig_whois"]["value"] = "anyone"
            await muc.set_room_config(room, form)
        say("JOINED", room.bare)

    async def wait_for_occupants(self, room: str, count: int) -> None:
        muc = self.plugin["xep_0045"]
        for _ in range(int(self.args.wait * 10)):
            if len(muc.get_roster(JID(room))) >= count:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"fewer than {count} occupants in {room}")

    async def on_start(self, _event: Any) -> None:
        try:
            self.send_presence()
            SessionManager.bind(self)
            self.manager = await SessionManager.create(
                [oldmemo.Oldmemo(self.storage)], self.storage, self.bare, None, "blind"
            )
            own, _others = await self.manager.get_own_device_information()
            say("READY", own.device_id, "".join(self.manager.format_identity_key(own.identity_key)).lower())
            if self.args.room:
                await self.join_room()
            if self.args.send:
                target, text = self.args.send
                if self.args.room and JID(target).bare == JID(self.args.room).bare:
                    await self.wait_for_occupants(target, self.args.occupants)
                await self.encrypt_and_send(JID(target).bare, text)
            if self.args.send_file:
                target, path = self.args.send_file
                url = await self.upload_encrypted(Path(path).read_bytes(), Path(path).name)
                await self.encrypt_and_send(JID(target).bare, url)
        except Exception as error:  # noqa: BLE001
            say("ERROR", "start", repr(error))
            self.failed = True
            self.done.set()

    async def on_message(self, stanza: Any) -> None:
        element = stanza.xml.find(f"{{{NS}}}encrypted")
        if element is None or self.manager is None:
            return
        sender = stanza["from"].bare
        reply_to = sender
        if stanza["type"] == "groupchat":
            muc = self.plugin["xep_0045"]
            nick = stanza["from"].resource
            if nick == muc.get_our_jid_in_room(stanza["from"].bare).split("/")[-1]:
                return  # our own message, reflected by the room
            real = muc.get_jid_property(JID(sender), nick, "jid")
            if real is None:
                say("ERROR", "decrypt", stanza["from"], "no real JID for this occupant")
                return
            sender = JID(real).bare
        try:
            message = await oldmemo.etree.parse_message(element, sender, self.bare, self.manager)
            plaintext, device, _ = await self.manager.decrypt(message)
        except Exception as error:  # noqa: BLE001 - report and keep serving
            say("ERROR", "decrypt", sender, repr(error))
            return
        if plaintext is None:
            return  # key transport / heartbeat
        text = plaintext.decode("utf8")
        say("RECV", sender, device.device_id, text)
        answer = f"echo: {text}"
        if text.startswith("aesgcm://"):
            try:
                data = await self.download_decrypted(text)
                say("FILE", sender, hashlib.sha256(data).hexdigest(), len(data))
                if not self.sending:
                    answer = await self.upload_encrypted(data, "echo.bin")
            except Exception as error:  # noqa: BLE001
                say("ERROR", "file", sender, repr(error))
                return
        if self.sending:
            self.done.set()
        else:
            await self.encrypt_and_send(reply_to, answer)

    @property
    def sending(self) -> bool:
        return bool(self.args.send or self.args.send_file)

    @property
    def storage(self) -> Storage:
        if not hasattr(self, "_storage"):
            self._storage = Storage(self.args.state)
        return self._storage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5222)
    parser.add_argument("--ca", help="PEM file of the CA that signed the server certificate")
    parser.add_argument("--state", help="JSON file keeping the OMEMO state across runs")
    parser.add_argument("--send", nargs=2, metavar=("JID", "TEXT"))
    parser.add_argument("--send-file", nargs=2, metavar=("JID", "PATH"))
    parser.add_argument(
        "--download-scheme", default="https", choices=["https", "http"],
        help="how aesgcm:// links are fetched (http only for a loopback test server)",
    )
    parser.add_argument("--room", help="MUC room to join (non-anonymous)")
    parser.add_argument("--nick", help="nickname in the room (default: the JID's user part)")
    parser.add_argument("--configure-room", action="store_true", help="make the room non-anonymous (owner)")
    parser.add_argument("--occupants", type=int, default=2, help="occupants --send waits for in a room")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds --send waits for an answer")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, stream=sys.stderr)

    if args.ca:
        # aiohttp (uploads, downloads) trusts what OpenSSL's default paths say: add the test CA.
        os.environ["SSL_CERT_FILE"] = args.ca
    peer = Peer(args)
    peer.connect(address=(args.host, args.port))
    loop = asyncio.get_event_loop()
    if args.send or args.send_file:
        try:
            loop.run_until_complete(asyncio.wait_for(peer.done.wait(), args.wait))
        except asyncio.TimeoutError:
            say("ERROR", "timeout", "no answer")
            sys.exit(1)
        finally:
            peer.disconnect()
        if peer.failed:
            sys.exit(1)
    else:
        loop.run_until_complete(peer.disconnected)


if __name__ == "__main__":
    main()
