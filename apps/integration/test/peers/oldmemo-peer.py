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
What it shares with twomemo-peer.py lives in omemo_peer_common.py.
"""
import argparse
import asyncio
import hashlib
import io
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import oldmemo
import oldmemo.etree
import omemo
from aiohttp import ClientSession
from omemo_peer_common import (
    PLUGINS,
    BlindSessionManager,
    OmemoPeer,
    Storage,
    argument_parser,
    parse_args,
    say,
)
from slixmpp.jid import JID

NS = oldmemo.oldmemo.NAMESPACE
DEVICE_LIST_NODE = f"{NS}.devicelist"
BUNDLE_NODE = f"{NS}.bundles"
FALLBACK = "I sent you an OMEMO encrypted message but your client doesn't seem to support that."


class SessionManager(BlindSessionManager):
    """Bundles on one PEP node per device (XEP-0384 0.3 § 4.3)."""

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


class Peer(OmemoPeer):
    NS = NS
    ETREE = oldmemo.etree
    DEVICE_LIST_NODE = DEVICE_LIST_NODE
    FALLBACK = FALLBACK

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args, PLUGINS + ("xep_0363", "xep_0454"))
        self.done = asyncio.Event()
        self.failed = False

    async def parse_message(self, element: ET.Element, sender: str) -> omemo.Message:
        return await oldmemo.etree.parse_message(element, sender, self.bare, self.manager)

    async def encrypt_and_send(self, to: str, text: str) -> None:
        await self.encrypt_and_send_bytes(to, text.encode("utf8"))

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

    async def wait_for_occupants(self, room: str, count: int) -> None:
        muc = self.plugin["xep_0045"]
        for _ in range(int(self.args.wait * 10)):
            if len(muc.get_roster(JID(room))) >= count:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"fewer than {count} occupants in {room}")

    async def on_start(self, _event: Any) -> None:
        try:
            await self.start_session(SessionManager, oldmemo.Oldmemo, self.storage)
            if self.args.room:
                await self.join_room(self.args.configure_room)
            if self.args.send:
                target, text = self.args.send
                if self.in_room(target):
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
        decrypted = await self.decrypt_message(stanza)
        if decrypted is None:
            return
        sender, device, plaintext = decrypted
        reply_to = stanza["from"].bare
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
    parser = argument_parser(__doc__)
    parser.add_argument("--state", help="JSON file keeping the OMEMO state across runs")
    parser.add_argument("--send-file", nargs=2, metavar=("JID", "PATH"))
    parser.add_argument(
        "--download-scheme", default="https", choices=["https", "http"],
        help="how aesgcm:// links are fetched (http only for a loopback test server)",
    )
    parser.add_argument("--configure-room", action="store_true", help="make the room non-anonymous (owner)")
    parser.add_argument("--occupants", type=int, default=2, help="occupants --send waits for in a room")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds --send waits for an answer")
    args = parse_args(parser)

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
