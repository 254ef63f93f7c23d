#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-only
"""
Generates omemo2-vectors.json: known-answer vectors for the OMEMO 2
(urn:xmpp:omemo:2, XEP-0384 0.8) core of @clawxmpp/omemo, made ONCE with the
python reference stack from Debian and checked in. How to re-make them:

    apt-get install -y python3-twomemo python3-doubleratchet python3-x3dh python3-xeddsa
    /usr/bin/python3 packages/omemo/test-vectors/generate-omemo2-vectors.py \
        > packages/omemo/test-vectors/omemo2-vectors.json

Versions used: python3-twomemo 1.0.3, python3-omemo 1.0.2, python3-doubleratchet
1.0.3, python3-x3dh 1.0.3, python3-xeddsa 1.0.2 (Debian 12 / bookworm-backports).

Randomness is replaced by deterministic streams (SHA-256 of a label and a
counter) so the TypeScript tests can replay every random value in the same
order and must then produce the same bytes. Each party's stream is recorded
in `random` in the order it was consumed. Everything else is the unmodified
library code: x3dh.BaseState via twomemo.StateImpl, doubleratchet via
twomemo.DoubleRatchetImpl / AEADImpl / RootChainKDFImpl / MessageChainKDFImpl,
twomemo's payload encryption and KeyExchangeImpl serialisation.
"""
import asyncio
import base64
import hashlib
import json
import secrets
import sys

import xeddsa
import x3dh
import x3dh.identity_key_pair
import doubleratchet
from doubleratchet.recommended import diffie_hellman_ratchet_curve25519
from twomemo import twomemo as tm
from twomemo.twomemo_pb2 import OMEMOAuthenticatedMessage, OMEMOKeyExchange, OMEMOMessage

b64 = lambda b: base64.b64encode(b).decode("ascii")


def stream(label: str, n: int, i: int) -> bytes:
    out = b""
    block = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}/{block}".encode()).digest()
        block += 1
    return out[:n]


class Randomness:
    """One deterministic stream per party; `party` says who consumes next."""

    def __init__(self):
        self.party = "setup"
        self.counters = {}
        self.log = {}

    def take(self, n: int) -> bytes:
        i = self.counters.get(self.party, 0)
        self.counters[self.party] = i + 1
        value = stream(self.party, n, i)
        self.log.setdefault(self.party, []).append(b64(value))
        return value


R = Randomness()
secrets.token_bytes = R.take  # x3dh (ephemeral, prekeys, nonces) and twomemo (payload keys)
CHOSEN_PRE_KEY = {"value": None}
secrets.choice = lambda seq: CHOSEN_PRE_KEY["value"]


class Ratchet(diffie_hellman_ratchet_curve25519.DiffieHellmanRatchet):
    @staticmethod
    def _generate_priv() -> bytes:
        return R.take(32)


RATCHET_ARGS = (Ratchet, tm.RootChainKDFImpl, tm.MessageChainKDFImpl, tm.DoubleRatchetImpl.MESSAGE_CHAIN_CONSTANT, 1000, 1000, tm.AEADImpl)


def primitives():
    out = {"identity": [], "hkdf": [], "payload": [], "aead": [], "protobuf": []}
    for i in range(3):
        seed = stream("identity-seed", 32, i)
        priv = xeddsa.seed_to_priv(seed)
        ed_pub = xeddsa.seed_to_ed25519_pub(seed)
        msg = stream("signed-message", 32 + i, i)
        nonce = stream("nonce", 64, i)
        out["identity"].append({
            "seed": b64(seed),
            "ed25519Public": b64(ed_pub),
            "x25519Private": b64(priv),
            "x25519Public": b64(xeddsa.priv_to_curve25519_pub(priv)),
            "x25519FromEd25519": b64(xeddsa.ed25519_pub_to_curve25519_pub(ed_pub)),
            "message": b64(msg),
            "seedSignature": b64(xeddsa.ed25519_seed_sign(seed, msg)),
            # python signs signed prekeys with the scalar and a random nonce: we can only verify these
            "privSignature": b64(xeddsa.ed25519_priv_sign(priv, msg, nonce)),
        })
    for i, (info, length) in enumerate([("OMEMO X3DH", 32), ("OMEMO Root Chain", 64), ("OMEMO Message Key Material", 80), ("OMEMO Payload", 80)]):
        ikm = stream("hkdf-ikm", 32 + 32 * i, i)
        salt = stream("hkdf-salt", 32, i) if info == "OMEMO Root Chain" else b"\x00" * 32
        value = asyncio.run(tm.CryptoProviderImpl.hkdf_derive(hash_function=tm.HashFunction.SHA_256, length=length, salt=salt, info=info.encode(), key_material=ikm))
        out["hkdf"].append({"info": info, "ikm": b64(ikm), "salt": b64(salt), "length": length, "okm": b64(value)})
    backend = tm.Twomemo.__new__(tm.Twomemo)
    for i, text in enumerate(["", "hi", "x" * 15, "y" * 16, "Grüße 🌍 " * 20]):
        R.party = f"payload-{i}"
        content, key_material = asyncio.run(backend.encrypt_plaintext(text.encode()))
        out["payload"].append({
            "plaintext": b64(text.encode()),
            "key": R.log[R.party][0],
            "ciphertext": b64(content.ciphertext),
            "keyMaterial": b64(key_material.key + key_material.auth_tag),
        })
    for i, (n, pn, size) in enumerate([(0, 0, 48), (7, 3, 32), (4294967295, 4294967295, 48)]):
        mk = stream("aead-key", 32, i)
        ad = stream("aead-ad", 64, i)
        dh_pub = stream("aead-dh", 32, i)
        pt = stream("aead-pt", size, i)
        header = doubleratchet.Header(dh_pub, pn, n)
        full_ad = tm.DoubleRatchetImpl._build_associated_data(ad, header)
        sealed = asyncio.run(tm.AEADImpl.encrypt(pt, mk, full_ad))
        out["aead"].append({"messageKey": b64(mk), "associatedData": b64(ad), "n": n, "pn": pn, "dhPub": b64(dh_pub), "plaintext": b64(pt), "authenticated": b64(sealed)})
    for n, pn in [(0, 0), (1, 300), (127, 128), (16384, 2**32 - 1)]:
        dh_pub = stream("pb-dh", 32, n)
        out["protobuf"].append({"kind": "OMEMOMessage", "n": n, "pn": pn, "dhPub": b64(dh_pub), "bytes": b64(OMEMOMessage(n=n, pn=pn, dh_pub=dh_pub).SerializeToString())})
        ct = stream("pb-ct", 64, n)
        out["protobuf"].append({"kind": "OMEMOMessage", "n": n, "pn": pn, "dhPub": b64(dh_pub), "ciphertext": b64(ct), "bytes": b64(OMEMOMessage(n=n, pn=pn, dh_pub=dh_pub, ciphertext=ct).SerializeToString())})
    mac = stream("pb-mac", 16, 0)
    inner = OMEMOMessage(n=1, pn=2, dh_pub=stream("pb-dh", 32, 99), ciphertext=stream("pb-ct", 64, 99)).SerializeToString()
    auth = OMEMOAuthenticatedMessage(mac=mac, message=inner)
    out["protobuf"].append({"kind": "OMEMOAuthenticatedMessage", "mac": b64(mac), "message": b64(inner), "bytes": b64(auth.SerializeToString())})
    ik, ek = stream("pb-ik", 32, 0), stream("pb-ek", 32, 0)
    out["protobuf"].append({"kind": "OMEMOKeyExchange", "pkId": 42, "spkId": 2**31 - 1, "ik": b64(ik), "ek": b64(ek), "message": b64(auth.SerializeToString()),
                            "bytes": b64(OMEMOKeyExchange(pk_id=42, spk_id=2**31 - 1, ik=ik, ek=ek, message=auth).SerializeToString())})
    return out


def make_state(name: str):
    R.party = f"{name}-keys"
    seed = R.take(32)
    state = tm.StateImpl.create(x3dh.IdentityKeyFormat.ED_25519, x3dh.HashFunction.SHA_256, tm.StateImpl.INFO,
                                x3dh.identity_key_pair.IdentityKeyPairSeed(seed))
    state.generate_pre_keys(3)
    return seed, state


def chain_keys(ratchet):
    model = ratchet.model.diffie_hellman_ratchet
    skr = model.symmetric_key_ratchet
    return {
        "rootKey": b64(model.root_chain.key),
        "sendingChainKey": None if skr.sending_chain is None else b64(skr.sending_chain.key),
        "receivingChainKey": None if skr.receiving_chain is None else b64(skr.receiving_chain.key),
    }


async def transcript():
    alice_seed, alice = make_state("alice")
    bob_seed, bob = make_state("bob")
    bob_model = bob.model
    pre_keys = sorted(bob.bundle.pre_keys)
    pre_key_ids = {pk: i + 1 for i, pk in enumerate(pre_keys)}
    bob_pre_key_privs = {xeddsa.priv_to_curve25519_pub(p): p for p in bob_model.pre_keys}
    chosen = pre_keys[1]
    CHOSEN_PRE_KEY["value"] = chosen
    bundle = bob.bundle
    out = {
        "alice": {"seed": b64(alice_seed), "identityKey": b64(alice.bundle.identity_key)},
        "bob": {
            "seed": b64(bob_seed),
            "identityKey": b64(bundle.identity_key),
            "signedPreKey": {"id": 1, "private": b64(bob_model.signed_pre_key.priv), "public": b64(bundle.signed_pre_key), "signature": b64(bundle.signed_pre_key_sig)},
            "preKeys": [{"id": pre_key_ids[pk], "private": b64(bob_pre_key_privs[pk]), "public": b64(pk)} for pk in pre_keys],
        },
        "chosenPreKeyId": pre_key_ids[chosen],
        "steps": [],
    }

    R.party = "alice"
    secret, ad, header = await alice.get_shared_secret_active(bundle)
    out["x3dh"] = {"sharedSecret": b64(secret), "associatedData": b64(ad), "ephemeralPublic": b64(header.ephemeral_key)}
    kex_info = tm.KeyExchangeImpl(header, 1, pre_key_ids[chosen])
    backend = tm.Twomemo.__new__(tm.Twomemo)
    sessions = {}
    confirmed = {"alice": False}
    pending = {}

    async def send(sender, label, text):
        R.party = f"payload-{label}"
        if text is None:
            content, km = await backend.encrypt_empty()
        else:
            content, km = await backend.encrypt_plaintext(text.encode())
        key_material = km.key + km.auth_tag
        R.party = sender
        if sender == "alice" and "alice" not in sessions:
            ratchet, enc = await tm.DoubleRatchetImpl.encrypt_initial_message(*RATCHET_ARGS, secret, bundle.signed_pre_key, key_material, ad)
            sessions["alice"] = ratchet
            out["aliceAfterInit"] = chain_keys(ratchet)
        else:
            enc = await sessions[sender].encrypt_message(key_material, ad)
        data = enc.ciphertext
        kex = sender == "alice" and not confirmed["alice"]
        if kex:
            data = kex_info.serialize(data)
        step = {"op": "send", "from": sender, "label": label, "kex": kex, "data": b64(data),
                "keyMaterial": b64(key_material), "payloadKey": None if text is None else R.log[f"payload-{label}"][0],
                "plaintext": None if text is None else b64(text.encode()), "ciphertext": None if text is None else b64(content.ciphertext)}
        out["steps"].append(step)
        pending[label] = (sender, kex, data, key_material)

    async def receive(label):
        sender, kex, data, key_material = pending.pop(label)
        receiver = "bob" if sender == "alice" else "alice"
        R.party = receiver
        if kex:
            parsed_kex, auth = tm.KeyExchangeImpl.parse(data)
        else:
            auth = data
        ekm = tm.EncryptedKeyMaterialImpl.parse(auth, "x", 1)
        if receiver == "bob" and "bob" not in sessions:
            spk_priv = bob_model.signed_pre_key.priv
            bob_secret, bob_ad, _ = await bob.get_shared_secret_passive(x3dh.Header(parsed_kex.header.identity_key, parsed_kex.header.ephemeral_key, bundle.signed_pre_key, pre_keys[parsed_kex.pre_key_id - 1]))
            assert bob_secret == secret and bob_ad == ad
            ratchet, plain = await tm.DoubleRatchetImpl.decrypt_initial_message(*RATCHET_ARGS, bob_secret, spk_priv, ekm.encrypted_message, bob_ad)
            sessions["bob"] = ratchet
            out["bobAfterInit"] = chain_keys(ratchet)
        else:
            plain = await sessions[receiver].decrypt_message(ekm.encrypted_message, ad)
        assert plain == key_material
        if receiver == "alice":
            confirmed["alice"] = True
        out["steps"].append({"op": "receive", "by": receiver, "label": label, "keyMaterial": b64(plain)})

    await send("alice", "a0", "Hello Bob")
    await send("alice", "a1", "second, delivered late")
    await send("alice", "a2", "third")
    await receive("a0")
    await receive("a2")
    await receive("a1")
    await send("bob", "b0", "Hi Alice")
    await receive("b0")
    await send("alice", "a3", "confirmed now")
    await send("alice", "a4", None)
    await receive("a4")
    await receive("a3")
    await send("bob", "b1", "one")
    await send("bob", "b2", "two")
    await send("bob", "b3", "three")
    await receive("b3")
    await send("alice", "a5", "ratchet again")
    await receive("b1")
    await receive("a5")
    await receive("b2")
    out["random"] = {party: values for party, values in R.log.items() if party in ("alice", "bob")}
    return out


def main():
    vectors = {
        "about": "OMEMO 2 known-answer vectors from python3-twomemo 1.0.3 / doubleratchet 1.0.3 / x3dh 1.0.3 / xeddsa 1.0.2; made by generate-omemo2-vectors.py (see its header).",
        "primitives": primitives(),
        "transcript": asyncio.run(transcript()),
    }
    json.dump(vectors, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
