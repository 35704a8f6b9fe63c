"""One callback request end to end: the POST body opened into a message, and a passive text reply sealed.

Glue over `crypto` and `xml` so that a route handler needs one call each way and cannot skip the signature or
freshness check by accident."""

from __future__ import annotations

from server.channels.wecom.crypto import WeComCrypto, WeComCryptoError
from server.channels.wecom.xml import WeComMessage, parse_envelope, parse_message, text_reply_xml


def open_callback(crypto: WeComCrypto, msg_signature: str, timestamp: str, nonce: str,
                  body: bytes | str) -> WeComMessage:
    """The message in a callback POST (query msg_signature/timestamp/nonce, XML body). Raises `WeComXmlError` for a
    body that is not WeCom's XML and `WeComCryptoError` for one that is not signed, fresh or sealed for us."""
    envelope = parse_envelope(body)
    return parse_message(crypto.decrypt(msg_signature, timestamp, nonce, envelope.encrypt))


def seal_text_reply(crypto: WeComCrypto, message: WeComMessage, text: str, timestamp: str, nonce: str) -> str:
    """The encrypted passive reply body answering `message` with `text` (from the corp to the member); `timestamp`
    and `nonce` are the reply's own (the callback's may be reused)."""
    if not timestamp.isascii() or not timestamp.isdigit():
        raise WeComCryptoError("timestamp-invalid")
    plaintext = text_reply_xml(message.from_user, message.to_user, text, int(timestamp))
    return crypto.encrypted_reply_xml(plaintext, timestamp, nonce)
