"""Known hostile documents for the booking API's XML reader: entity expansion, external
entities and DTDs, deep nesting, huge attributes and texts, odd timestamps, and every
encoding a document may declare. Each is refused (or read) at once, never expanded or
fetched, and raises nothing but `BookingProtocolError`.
"""

from __future__ import annotations

import encodings.aliases

import pytest

from tests.fuzz.booking_documents import HEAD
from tests.fuzz.booking_reading import read

_LAUGHS = b"".join(
    b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
    for i in range(1, 10)
)

HOSTILE = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE Response [<!ENTITY l0 "lol">'
                      + _LAUGHS + b"]><Response>&l9;</Response>",
    "quadratic blowup": b'<!DOCTYPE Response [<!ENTITY a "' + b"a" * 50_000 + b'">]><Response>'
                        + b"&a;" * 10_000 + b"</Response>",
    "external entity": b'<!DOCTYPE Response [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b"<Response>&x;</Response>",
    "external entity over the network": b'<!DOCTYPE Response [<!ENTITY x SYSTEM '
                                        b'"http://127.0.0.1:9/x">]><Response>&x;</Response>',
    "parameter entity": b'<!DOCTYPE Response [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p"> %p;]>'
                        b"<Response/>",
    "external DTD": b'<!DOCTYPE Response SYSTEM "http://127.0.0.1:9/r.dtd"><Response/>',
    "undeclared entity": HEAD + b"<Message>&nope;</Message></Response>",
    "xinclude": HEAD + b'<Objects><x:include xmlns:x="http://www.w3.org/2001/XInclude" '
                        b'href="file:///etc/passwd"/></Objects></Response>',
    "deep nesting": HEAD + b"<Objects>" + b"<a>" * 100_000 + b"</a>" * 100_000
                    + b"</Objects></Response>",
    "deep nesting at the root": HEAD + b"<a><b>1</b>" + b"<a>" * 5_000 + b"<c>1</c>"
                                + b"</a>" * 5_000 + b"</a></Response>",
    "deep nesting, cut short": HEAD + b"<Objects>" + b"<a>" * 200_000,
    "huge attribute": HEAD.replace(b"<Response>", b'<Response a="' + b"x" * 4_000_000 + b'">'),
    "many attributes": b"<Response " + b" ".join(b'a%d="1"' % i for i in range(50_000))
                       + b"/>",
    "wide": HEAD + b"<Objects>" + b"<Item><Id>1</Id></Item>" * 10_000 + b"</Objects></Response>",
    "long text": HEAD + b"<Message>" + b"x" * 8_000_000 + b"</Message></Response>",
    "huge timestamp": b"<Response><Status><Status>success</Status><Timestamp>" + b"9" * 4000
                      + b"</Timestamp></Status></Response>",
    "negative timestamp": b"<Response><Status><Status>success</Status><Timestamp>-5</Timestamp>"
                          b"</Status></Response>",
    "namespaced response": b'<r:Response xmlns:r="urn:x"><Status><Status>success</Status>'
                           b"</Status></r:Response>",
    "empty": b"",
    "only a declaration": b'<?xml version="1.0"?>',
    "a NUL byte": HEAD.replace(b"success", b"succ\x00ess") + b"</Response>",
    "a BOM and UTF-16 without one": "<Response/>".encode("utf-16-le"),
}


@pytest.mark.parametrize("body", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_documents_are_refused_or_read_at_once(body: bytes) -> None:
    read(body)


def _codec_names() -> list[str]:
    names = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
    names |= {"rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri", "idna", "punycode",
              "undefined", "unicode_escape", "raw_unicode_escape", "mbcs", "x-unknown", ""}
    return sorted(names)


# Python warns (DeprecationWarning) while decoding bad escapes with the "unicode_escape"
# codec that a document may name; the warnings filter turns that into an error here only.
@pytest.mark.filterwarnings(
    "ignore:invalid escape sequence:DeprecationWarning"
)
def test_any_declared_encoding_is_read_or_refused_as_a_protocol_error() -> None:
    for declared in _codec_names():
        text = f'<?xml version="1.0" encoding="{declared}"?><Response><Status><Status>' \
               "success</Status></Status></Response>"
        read(text.encode())
        try:
            encoded = text.encode(declared)
        except (LookupError, UnicodeError):  # not a codec Python writes text in
            continue
        read(encoded)


