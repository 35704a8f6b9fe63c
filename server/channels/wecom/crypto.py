"""WeCom callback message crypto, as WeCom's WXBizMsgCrypt specifies it.

- `msg_signature` = SHA1 hex of the lexically sorted concatenation of token, timestamp, nonce and the ciphertext.
- AES-256-CBC with key = base64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7 padding to 32-byte blocks
  (not AES's 16: WeCom pads to 32 and a 16-byte unpadder would accept what WeCom never sends).
- Plaintext = 16 random bytes + 4-byte big-endian message length + message + receive id (the corp id for a
  self-built app), and the receive id must be ours: a message sealed for another corp is refused.

The signature is always checked before anything is decrypted, so an unsigned caller learns nothing from how
decryption fails (no padding oracle). Freshness of the timestamp is checked too (a replayed callback is refused)
unless `max_age` is None."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Callable

import structlog
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

log = structlog.get_logger(__name__)

Clock = Callable[[], float]
"""Wall-clock seconds since the epoch (WeCom's timestamps are Unix seconds): `time.time` in production."""

BLOCK = 32  # WeCom's PKCS#7 block size, in bytes
DEFAULT_MAX_AGE = 300.0


class WeComCryptoError(Exception):
    """A callback that cannot be trusted or read. `code` is one of: "key-invalid" (the EncodingAESKey),
    "signature-invalid", "timestamp-invalid", "timestamp-stale", "decrypt-failed" (base64, AES, padding or length),
    "receiver-mismatch" (sealed for another receive id)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise WeComCryptoError("key-invalid", "the EncodingAESKey has 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise WeComCryptoError("key-invalid", "the EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise WeComCryptoError("key-invalid", "the EncodingAESKey does not decode to 32 bytes")
    return key


def _xml_text(value: str) -> str:
    """A CDATA section holding `value` verbatim, even when it contains the CDATA terminator."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeComCrypto:
    """Seals and opens one app's callback messages: `token` and `encoding_aes_key` are the app's "接收消息" settings,
    `receive_id` the corp id (an empty string where WeCom seals with none)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str, *, clock: Clock = time.time,
                 max_age: float | None = DEFAULT_MAX_AGE) -> None:
        self._token = token
        self._key = _aes_key(encoding_aes_key)
        self._receive_id = receive_id.encode()
        self._clock = clock
        self._max_age = max_age

    # signature and freshness

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        parts = sorted([self._token, timestamp, nonce, encrypted])
        return hashlib.sha1("".join(parts).encode()).hexdigest()

    def verify_signature(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.strip().lower().encode()):
            log.warning("wecom.crypto.signature_invalid", timestamp=timestamp)
            raise WeComCryptoError("signature-invalid")

    def check_timestamp(self, timestamp: str, window: float | None = None) -> int:
        """The timestamp as an int if it is within `window` seconds (default: `max_age`, else 300) of the clock,
        either side: a callback from the past is a replay, one from the future a forgery or a skewed clock."""
        limit = window if window is not None else (self._max_age if self._max_age is not None else DEFAULT_MAX_AGE)
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            raise WeComCryptoError("timestamp-invalid")
        value = int(timestamp)
        skew = abs(self._clock() - value)
        if skew > limit:
            log.warning("wecom.crypto.timestamp_stale", timestamp=value, skew=round(skew))
            raise WeComCryptoError("timestamp-stale", f"{round(skew)} s from now")
        return value

    def _authenticate(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        self.verify_signature(msg_signature, timestamp, nonce, encrypted)
        if self._max_age is not None:
            self.check_timestamp(timestamp)

    # opening

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The URL verification GET: the decrypted echostr, to be answered as the plain response body. The query
        values must be URL-decoded already (a framework's query parser does that)."""
        self._authenticate(msg_signature, timestamp, nonce, echostr)
        try:
            return self._open(echostr).decode()
        except UnicodeDecodeError:
            raise WeComCryptoError("decrypt-failed", "echostr is not UTF-8") from None

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bytes:
        """The message bytes (a plaintext XML document) sealed in a callback's `Encrypt` field."""
        self._authenticate(msg_signature, timestamp, nonce, encrypted)
        return self._open(encrypted)

    def _open(self, encrypted: str) -> bytes:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise WeComCryptoError("decrypt-failed", "not base64") from None
        if not data or len(data) % 16:
            raise WeComCryptoError("decrypt-failed", "not whole AES blocks")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).decryptor()
        padded = decryptor.update(data) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
            raise WeComCryptoError("decrypt-failed", "bad padding")
        plain = padded[:-pad]
        if len(plain) < 20:
            raise WeComCryptoError("decrypt-failed", "too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WeComCryptoError("decrypt-failed", "length past the end")
        message, receive_id = plain[20:20 + length], plain[20 + length:]
        if not hmac.compare_digest(receive_id, self._receive_id):
            log.warning("wecom.crypto.receiver_mismatch")
            raise WeComCryptoError("receiver-mismatch")
        return message

    # sealing

    def encrypt(self, plaintext: bytes, *, random_prefix: bytes | None = None) -> str:
        """The base64 ciphertext of `plaintext` sealed for our receive id. `random_prefix` (16 bytes) is only for
        known-answer tests; by default it is fresh random bytes."""
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise ValueError("the random prefix has 16 bytes")
        body = prefix + struct.pack(">I", len(plaintext)) + plaintext + self._receive_id
        pad = BLOCK - len(body) % BLOCK
        body += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16])).encryptor()
        return base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode()

    def encrypted_reply_xml(self, plaintext_xml: str, timestamp: str, nonce: str) -> str:
        """The passive reply body: `plaintext_xml` sealed and signed in WeCom's
        `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` envelope."""
        if not timestamp.isascii() or not timestamp.isdigit():
            raise WeComCryptoError("timestamp-invalid")
        encrypted = self.encrypt(plaintext_xml.encode())
        signature = self.signature(timestamp, nonce, encrypted)
        return (f"<xml><Encrypt>{_xml_text(encrypted)}</Encrypt><MsgSignature>{_xml_text(signature)}</MsgSignature>"
                f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{_xml_text(nonce)}</Nonce></xml>")
