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

What it shares with oldmemo-peer.py lives in omemo_peer_common.py.
"""
import asyncio
import secrets
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any, List, Optional

import omemo
import twomemo
import twomemo.etree
from omemo_peer_common import (
    BlindSessionManager,
    OmemoPeer,
    Storage,
    argument_parser,
    first_payload,
    parse_args,
    say,
)
from slixmpp.jid import JID

NS = twomemo.twomemo.NAMESPACE
DEVICES_NODE = "urn:xmpp:omemo:2:devices"
BUNDLES_NODE = "urn:xmpp:omemo:2:bundles"
SCE = "urn:xmpp:sce:1"
CLIENT = "jabber:client"
NS_REACTIONS = "urn:xmpp:reactions:0"
NS_CORRECT = "urn:xmpp:message-correct:0"


class SessionManager(BlindSessionManager):
    """Bundles as items of one PEP node, one per device id (XEP-0384 0.8 § 5.3.2)."""

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
        payload = first_payload(iq)
        if payload is None:
            raise omemo.BundleNotFound(f"no bundle for {bare_jid}:{device_id}")
        return twomemo.etree.parse_bundle(payload, bare_jid, device_id)


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


class Peer(OmemoPeer):
    NS = NS
    ETREE = twomemo.etree
    DEVICE_LIST_NODE = DEVICES_NODE
    FALLBACK = "[OMEMO 2 encrypted]"

    async def parse_message(self, element: ET.Element, sender: str) -> omemo.Message:
        return twomemo.etree.parse_message(element, sender)

    async def encrypt_and_send(self, to: str, content: List[ET.Element], mid: Optional[str] = None) -> None:
        await self.encrypt_and_send_bytes(to, envelope(content, self.bare, to), mid)

    async def on_start(self, _event: Any) -> None:
        try:
            await self.start_session(SessionManager, twomemo.Twomemo, Storage())
            if self.args.room:
                await self.join_room()
            if self.args.send:
                target, text = self.args.send
                await self.encrypt_and_send(JID(target).bare, [body(text)])
        except Exception as error:  # noqa: BLE001
            say("ERROR", "start", repr(error))

    async def on_message(self, stanza: Any) -> None:
        decrypted = await self.decrypt_message(stanza)
        if decrypted is None:
            return
        sender, device, plaintext = decrypted
        if plaintext is None:
            say("EMPTY", sender)
            return
        reply_to = stanza["from"].bare
        room = stanza["type"] == "groupchat"
        try:
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
    args = parse_args(argument_parser(__doc__))
    peer = Peer(args)
    peer.connect(address=(args.host, args.port))
    asyncio.get_event_loop().run_until_complete(peer.disconnected)


if __name__ == "__main__":
    main()
