/**
 * The slice of the protobuf wire format (proto2, protobuf.dev "Encoding")
 * that OMEMO 2's three messages use: varint fields (wire type 0) holding
 * uint32 values and length-delimited fields (wire type 2). The writer emits
 * fields in the order given, as protoc-generated code does (ascending field
 * number), so our bytes match python-protobuf's. The reader is strict where
 * protobuf is lax: a known field must have its declared wire type and appear
 * once; varints must fit 32 bits; lengths must fit the input; groups are
 * refused; unknown varint / length-delimited / fixed fields are skipped so a
 * later optional field does not break us. Every failure is an `OmemoError`.
 */
import { OmemoError } from "../omemo-error.js";

/** A field value: a uint32 (wire type 0) or bytes (wire type 2). */
export type ProtoValue = number | Uint8Array;

/** The schema of one field a message reader accepts. */
export interface ProtoField {
  readonly number: number;
  readonly type: "uint32" | "bytes";
  readonly required: boolean;
  /** Largest accepted length of a `bytes` field. */
  readonly maxBytes?: number;
}

function varint(value: number, out: number[]): void {
  let rest = value >>> 0;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
}

/** Serialises fields, in the order given; `undefined` values are left out (an unset optional). */
export function encodeFields(
  fields: readonly (readonly [number, ProtoValue | undefined])[],
): Uint8Array {
  const head: number[] = [];
  const parts: Uint8Array[] = [];
  let total = 0;
  const flush = (): void => {
    if (head.length === 0) return;
    const bytes = Uint8Array.from(head);
    parts.push(bytes);
    total += bytes.length;
    head.length = 0;
  };
  for (const [number, value] of fields) {
    if (value === undefined) continue;
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        throw new OmemoError("invalid", `protobuf field ${number}: ${value} is not a uint32`);
      }
      varint(number << 3, head);
      varint(value, head);
    } else {
      varint((number << 3) | 2, head);
      varint(value.length, head);
      flush();
      parts.push(value);
      total += value.length;
    }
  }
  flush();
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {}

  fail(message: string): never {
    throw new OmemoError("malformed", `${this.what}: ${message}`);
  }

  // At most 5 bytes for 32 bits; a sixth continuation byte or bits beyond 2^32 are refused.
  uint32(): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.bytes.length) this.fail("truncated varint");
      const byte = this.bytes[this.offset++] as number;
      if (i === 4 && byte > 0x0f) this.fail("varint exceeds 32 bits");
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    return this.fail("varint exceeds 32 bits");
  }

  // Unknown varints may be 64-bit: up to 10 bytes, value ignored.
  skipVarint(): void {
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.bytes.length) this.fail("truncated varint");
      if (((this.bytes[this.offset++] as number) & 0x80) === 0) return;
    }
    this.fail("varint longer than 10 bytes");
  }

  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.offset) this.fail("field runs past the end");
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}

/** Decodes a message against `schema`; values by field number (bytes are views into `bytes`). */
export function decodeFields(
  bytes: Uint8Array,
  schema: readonly ProtoField[],
  what: string,
  maxBytes: number,
): Map<number, ProtoValue> {
  if (bytes.length > maxBytes) {
    throw new OmemoError("too-large", `${what} is ${bytes.length} bytes (limit ${maxBytes})`);
  }
  const reader = new Reader(bytes, what);
  const values = new Map<number, ProtoValue>();
  while (reader.offset < bytes.length) {
    const key = reader.uint32();
    const number = Math.floor(key / 8);
    const wireType = key & 7;
    if (number === 0) reader.fail("field number 0");
    const field = schema.find((candidate) => candidate.number === number);
    if (field) {
      const expected = field.type === "uint32" ? 0 : 2;
      if (wireType !== expected)
        reader.fail(`field ${number} has wire type ${wireType}, expected ${expected}`);
      if (values.has(number)) reader.fail(`field ${number} appears twice`);
      if (field.type === "uint32") {
        values.set(number, reader.uint32());
      } else {
        const length = reader.uint32();
        if (field.maxBytes !== undefined && length > field.maxBytes) {
          throw new OmemoError(
            "too-large",
            `${what}: field ${number} is ${length} bytes (limit ${field.maxBytes})`,
          );
        }
        values.set(number, reader.take(length));
      }
      continue;
    }
    switch (wireType) {
      case 0:
        reader.skipVarint();
        break;
      case 1:
        reader.take(8);
        break;
      case 2:
        reader.take(reader.uint32());
        break;
      case 5:
        reader.take(4);
        break;
      default:
        reader.fail(`unsupported wire type ${wireType} (field ${number})`);
    }
  }
  for (const field of schema) {
    if (field.required && !values.has(field.number))
      reader.fail(`required field ${field.number} is missing`);
  }
  return values;
}
