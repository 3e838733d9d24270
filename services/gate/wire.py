"""The few pieces of protobuf's wire format the gate writes by hand: a varint, a tag, a
length-delimited field (answers.py builds Decide's answer from them and bytes protobuf made).

What this relies on, all of it protobuf's documented encoding
(https://protobuf.dev/programming-guides/encoding/), which every conforming parser reads:

- A varint is 7 bits a byte, least significant group first, the high bit set on every byte
  but the last. A negative int32 or int64 is written as its 64-bit two's complement: ten bytes.
- A field is its tag, the varint ``number << 3 | wire type``, then its value: a varint (wire
  type 0) for the integers, bools and enums, or (wire type 2) a varint length and that many
  bytes for strings (UTF-8), bytes and submessages.
- A message's encoding is the concatenation of its fields' encodings, in any order: a parser
  appends each element of a repeated field in the order met, so elements of one field may be
  written apart; a submessage is written once (were it twice, the parser would merge the two).
- A submessage's bytes are its own fields' encodings concatenated, so a submessage can be
  written as bytes protobuf serialized for some of its fields followed by the rest.
- Under proto3 a scalar field holding its default (0, "") is not written; the parser reads an
  absent one as the default, so leaving it out is what SerializeToString would do.

Field numbers and wire types are read from the messages' descriptors (:func:`tag`), never
written as literals, so that they follow the .proto.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor

_LENGTH_DELIMITED = (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES, FieldDescriptor.TYPE_MESSAGE)
_VARINT = (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_UINT64,
           FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_BOOL, FieldDescriptor.TYPE_ENUM)
_ONE_BYTE = tuple(bytes((n,)) for n in range(0x80))
_TWO_COMPLEMENT = 1 << 64


def varint(n: int) -> bytes:
    """``n`` as a varint: one byte below 128, ten for a negative number (64-bit two's complement).
    Up to five bytes written out without a loop: lengths, revisions, seconds, nanoseconds."""
    if 0 <= n < 0x80:
        return _ONE_BYTE[n]
    if n < 0:
        if n < -(1 << 63):
            raise ValueError(f"{n} does not fit a 64-bit varint")
        n += _TWO_COMPLEMENT
    if n < 0x4000:
        return bytes((n & 0x7F | 0x80, n >> 7))
    if n < 0x200000:
        return bytes((n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14))
    if n < 0x10000000:
        return bytes((n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14 & 0x7F | 0x80, n >> 21))
    if n < 0x800000000:
        return bytes((n & 0x7F | 0x80, n >> 7 & 0x7F | 0x80, n >> 14 & 0x7F | 0x80, n >> 21 & 0x7F | 0x80, n >> 28))
    if n >= _TWO_COMPLEMENT:
        raise ValueError(f"{n} does not fit a 64-bit varint")
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def tag(field: FieldDescriptor) -> bytes:
    """The tag of a singular or unpacked field: its number and its type's wire type."""
    if field.type in _LENGTH_DELIMITED:
        wire_type = 2
    elif field.type in _VARINT:
        wire_type = 0
    else:  # fixed-width and signed-zigzag types: not written by hand here
        raise ValueError(f"{field.full_name}: no hand-written encoding for field type {field.type}")
    return varint(field.number << 3 | wire_type)


def delimited(field_tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: a string's UTF-8 bytes, a submessage's encoding."""
    n = len(payload)
    return field_tag + (_ONE_BYTE[n] if n < 0x80 else varint(n)) + payload


__all__ = ["varint", "tag", "delimited"]
