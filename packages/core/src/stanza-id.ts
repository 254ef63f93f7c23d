/**
 * Random ids for the stanzas we originate (RFC 6120 §8.1.3 `id`, XEP-0359 §3.1 origin-id, IQ
 * request ids): 96 random bits as 16 base64url characters. Unguessable, which matters for IQ
 * ids (an answer is matched by id and sender) and for origin-ids (XEP-0359 wants them unique), and
 * half the length of a UUID: every byte of a message is parsed, routed, re-serialised and
 * encrypted twice by the server, and at chat rates the id was a quarter of the stanza.
 */
import { randomFillSync } from "node:crypto";

const ID_BYTES = 12;
/** Ids drawn per `randomFillSync` call (one syscall-backed fill instead of one per stanza). */
const IDS_PER_FILL = 256;

let pool: Buffer | undefined;
let offset = 0;

/** A fresh 16-character id: 96 bits from the OS's CSPRNG, base64url. */
export function randomStanzaId(): string {
  if (pool === undefined || offset === pool.length) {
    // Allocated on first use, not at import; `alloc` (not `allocUnsafe`) keeps it out of Node's shared slab.
    pool ??= Buffer.alloc(ID_BYTES * IDS_PER_FILL);
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
