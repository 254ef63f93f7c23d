#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-only
"""
A python-twomemo peer for the live interop test (src/v2/python-interop.test.ts),
run only when /usr/bin/python3 has twomemo (apt-get install python3-twomemo).

Reads JSON on stdin: the responder's keys (made by our TypeScript code) and
the messages our TypeScript initiator sent to it, as OMEMO 2 `<key>` bytes
plus `<payload>` ciphertexts. Builds the passive session with the unmodified
library (x3dh state, DoubleRatchetImpl, AEADImpl, payload decryption),
decrypts every message in the given order, then encrypts `replies` back with
fresh randomness. Writes JSON on stdout: the plaintexts and the replies.
"""
import asyncio
import base64
import json
import sys

import x3dh
from x3dh.models import BaseStateModel, IdentityKeyPairModel, SignedPreKeyPairModel
from x3dh.types import SecretType
from doubleratchet.recommended import diffie_hellman_ratchet_curve25519
from twomemo import twomemo as tm

unb64 = base64.b64decode
b64 = lambda b: base64.b64encode(b).decode("ascii")
RATCHET_ARGS = (diffie_hellman_ratchet_curve25519.DiffieHellmanRatchet, tm.RootChainKDFImpl, tm.MessageChainKDFImpl,
                tm.DoubleRatchetImpl.MESSAGE_CHAIN_CONSTANT, 1000, 1000, tm.AEADImpl)


async def main():
    request = json.load(sys.stdin)
    keys = request["responder"]
    state = tm.StateImpl.from_model(BaseStateModel(
        identity_key=IdentityKeyPairModel(secret=unb64(keys["seed"]), secret_type=SecretType.SEED),
        signed_pre_key=SignedPreKeyPairModel(priv=unb64(keys["signedPreKey"]["private"]), sig=unb64(keys["signedPreKey"]["signature"]), timestamp=0),
        old_signed_pre_key=None,
        pre_keys=frozenset(unb64(pk["private"]) for pk in keys["preKeys"]),
    ), x3dh.IdentityKeyFormat.ED_25519, x3dh.HashFunction.SHA_256, tm.StateImpl.INFO)
    pre_keys_by_id = {pk["id"]: unb64(pk["public"]) for pk in keys["preKeys"]}
    backend = tm.Twomemo.__new__(tm.Twomemo)
    ratchet = None
    ad = None
    plaintexts = []
    for message in request["messages"]:
        data = unb64(message["data"])
        if message["kex"]:
            kex, auth = tm.KeyExchangeImpl.parse(data)
        else:
            auth = data
        ekm = tm.EncryptedKeyMaterialImpl.parse(auth, "ts@localhost", 1)
        if ratchet is None:
            header = x3dh.Header(kex.header.identity_key, kex.header.ephemeral_key, unb64(keys["signedPreKey"]["public"]), pre_keys_by_id[kex.pre_key_id])
            secret, ad, spk = await state.get_shared_secret_passive(header)
            ratchet, key_material = await tm.DoubleRatchetImpl.decrypt_initial_message(*RATCHET_ARGS, secret, spk.priv, ekm.encrypted_message, ad)
        else:
            key_material = await ratchet.decrypt_message(ekm.encrypted_message, ad)
        km = tm.PlainKeyMaterialImpl(key_material[:32], key_material[32:])
        plaintexts.append(b64(await backend.decrypt_plaintext(tm.ContentImpl(unb64(message["ciphertext"])), km)))
    replies = []
    for text in request["replies"]:
        content, km = await backend.encrypt_plaintext(unb64(text))
        encrypted = await ratchet.encrypt_message(km.key + km.auth_tag, ad)
        replies.append({"data": b64(encrypted.ciphertext), "ciphertext": b64(content.ciphertext)})
    json.dump({"plaintexts": plaintexts, "replies": replies}, sys.stdout)


asyncio.run(main())
