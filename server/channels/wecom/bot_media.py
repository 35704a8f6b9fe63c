"""Images, files and videos a user sends the bot: download the five-minute URL and decrypt it.

The platform encrypts the bytes with AES-256-CBC: key = base64-decoded `aeskey` of that very URL (32 bytes), IV = the
key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes (not 16, hence the manual unpadding) [W 100719][S
src/crypto.ts]; see bot_frames for the sources. Downloads go only to allowed hosts over HTTPS, without following
redirects, and stop at a size cap: the URL comes from the network, so it is not trusted to point anywhere else.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import httpx
import structlog
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from server.channels.wecom.bot_errors import (
    MEDIA_DECRYPT_FAILED,
    MEDIA_DOWNLOAD_FAILED,
    MEDIA_HOST_NOT_ALLOWED,
    MEDIA_KEY_MISSING,
    MEDIA_TOO_LARGE,
    WeComBotError,
)
from server.channels.wecom.bot_frames import Media

log = structlog.get_logger(__name__)

# The host of every sample media URL in [W 100719]; a tenant that sees another one adds it (exact names, no wildcards:
# anyone can own a bucket under myqcloud.com).
DEFAULT_MEDIA_HOSTS = frozenset({"ww-aibot-img-1258476243.cos.ap-guangzhou.myqcloud.com"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # shop-floor photos and documents; the platform allows files up to 100 MB [W]
_PAD_BLOCK = 32


@dataclass(frozen=True, slots=True)
class DownloadedMedia:
    data: bytes = field(repr=False)
    filename: str | None = None
    content_type: str | None = None


def decrypt_media(data: bytes, aes_key: str) -> bytes:
    try:
        key = base64.b64decode(aes_key + "=" * (-len(aes_key) % 4), validate=True)  # padding may be stripped
    except (binascii.Error, ValueError):
        raise WeComBotError(MEDIA_DECRYPT_FAILED, detail="key not base64") from None
    if len(key) != 32:
        raise WeComBotError(MEDIA_DECRYPT_FAILED, detail="key not 32 bytes")
    if not data or len(data) % 16:
        raise WeComBotError(MEDIA_DECRYPT_FAILED, detail="ciphertext length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= _PAD_BLOCK or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
        raise WeComBotError(MEDIA_DECRYPT_FAILED, detail="padding")
    return plain[:-pad]


def encrypt_media(plain: bytes, aes_key: str) -> bytes:
    """The platform's side, for fakes and tests."""
    key = base64.b64decode(aes_key + "=" * (-len(aes_key) % 4))
    pad = _PAD_BLOCK - len(plain) % _PAD_BLOCK
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*UTF-8''([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def _filename(disposition: str | None) -> str | None:
    if not disposition:
        return None
    match = _FILENAME_STAR.search(disposition) or _FILENAME.search(disposition)
    return unquote(match.group(1).strip()) if match else None


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class MediaFetcher:
    """Downloads and decrypts a message's media with the app's own httpx client (proxies, TLS settings, timeouts)."""

    def __init__(self, http: httpx.AsyncClient, *, allowed_hosts: Iterable[str] = DEFAULT_MEDIA_HOSTS,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._http = http
        self._hosts = frozenset(h.lower() for h in allowed_hosts)
        self._max_bytes = max_bytes

    def check_url(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        # plain http only to a loopback host that is listed (a test's platform, a local proxy): never to the network
        secure = parts.scheme == "https" and parts.port in (None, 443)
        if (not secure and not (parts.scheme == "http" and host in _LOOPBACK)) or host not in self._hosts \
                or parts.username:
            log.warning("wecom_bot.media_host_refused", host=host, scheme=parts.scheme)
            raise WeComBotError(MEDIA_HOST_NOT_ALLOWED, detail=host)

    async def fetch(self, media: Media) -> DownloadedMedia:
        if not media.aes_key:
            raise WeComBotError(MEDIA_KEY_MISSING)
        self.check_url(media.url)
        chunks: list[bytes] = []
        size = 0
        try:
            async with self._http.stream("GET", media.url, follow_redirects=False) as response:
                if response.status_code != 200:
                    raise WeComBotError(MEDIA_DOWNLOAD_FAILED, detail=f"http {response.status_code}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self._max_bytes:
                    raise WeComBotError(MEDIA_TOO_LARGE)
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise WeComBotError(MEDIA_TOO_LARGE)
                    chunks.append(chunk)
                filename = _filename(response.headers.get("content-disposition"))
                content_type = response.headers.get("content-type")
        except httpx.HTTPError as exc:
            raise WeComBotError(MEDIA_DOWNLOAD_FAILED, detail=type(exc).__name__) from None
        return DownloadedMedia(decrypt_media(b"".join(chunks), media.aes_key), filename, content_type)
