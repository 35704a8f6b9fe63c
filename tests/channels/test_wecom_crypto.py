"""WeCom callback crypto against WeCom's own published vectors (the WXBizMsgCrypt samples: token "QDG6eK",
EncodingAESKey "jWmYm7qr…", corp id "wx5823bf96d3bd56c7") and against OpenSSL, plus every way a callback is refused."""

from __future__ import annotations

import base64
import shutil
import struct
import subprocess

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from server.channels.wecom.crypto import WeComCrypto, WeComCryptoError

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"

# URL verification: GET /cgi-bin/wxpush?msg_signature=…&timestamp=1409659589&nonce=263014780&echostr=… (URL-decoded)
VERIFY_SIGNATURE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
VERIFY_TIMESTAMP = "1409659589"
VERIFY_NONCE = "263014780"
VERIFY_ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
VERIFY_ANSWER = "1616140317555161061"

# A message callback: POST /cgi-bin/wxpush?msg_signature=477715d1…&timestamp=1409659813&nonce=1372623149
MESSAGE_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
MESSAGE_TIMESTAMP = "1409659813"
MESSAGE_NONCE = "1372623149"
MESSAGE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3"
    "TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gs"
    "ijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUa"
    "x5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIG"
    "HBZZIs2pDBS8R07+qN+E7Q=="
)
MESSAGE_PLAINTEXT = (
    b"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    b"<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    b"<CreateTime>1409659813</CreateTime>\n"
    b"<MsgType><![CDATA[text]]></MsgType>\n"
    b"<Content><![CDATA[hello]]></Content>\n"
    b"<MsgId>4561255354251345929</MsgId>\n"
    b"<AgentID>218</AgentID>\n"
    b"</xml>"
)
KEY = base64.b64decode(AES_KEY + "=")


def crypto(now: float = 1409659813, receive_id: str = CORP_ID, **kwargs: object) -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, receive_id, clock=lambda: now, **kwargs)  # type: ignore[arg-type]


def raw_encrypt(plain: bytes) -> str:
    """AES-256-CBC with WeCom's key and IV, no padding added (the caller pads, rightly or wrongly)."""
    encryptor = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def test_signature_matches_wecoms_vector() -> None:
    c = crypto()
    assert c.signature(MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT) == MESSAGE_SIGNATURE
    assert c.signature(VERIFY_TIMESTAMP, VERIFY_NONCE, VERIFY_ECHOSTR) == VERIFY_SIGNATURE


def test_verify_url_answers_wecoms_echostr() -> None:
    assert crypto(now=1409659589).verify_url(VERIFY_SIGNATURE, VERIFY_TIMESTAMP, VERIFY_NONCE,
                                             VERIFY_ECHOSTR) == VERIFY_ANSWER


def test_decrypt_opens_wecoms_message() -> None:
    assert crypto().decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT) == MESSAGE_PLAINTEXT


def test_encrypt_reproduces_wecoms_ciphertext_with_its_random_prefix() -> None:
    # WeCom's ciphertext begins with the random bytes "0960688932c47ef1": sealing the same message with them must
    # give WeCom's ciphertext byte for byte (layout, big-endian length and 32-byte padding all agree).
    assert crypto().encrypt(MESSAGE_PLAINTEXT, random_prefix=b"0960688932c47ef1") == MESSAGE_ENCRYPT


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl binary")
def test_encrypt_agrees_with_openssl() -> None:
    prefix, message = b"R" * 16, "库存 盘点 ✓".encode()
    body = prefix + struct.pack(">I", len(message)) + message + CORP_ID.encode()
    pad = 32 - len(body) % 32
    padded = body + bytes([pad]) * pad
    result = subprocess.run(["openssl", "enc", "-aes-256-cbc", "-nopad", "-K", KEY.hex(), "-iv", KEY[:16].hex()],
                            input=padded, capture_output=True, check=True)
    assert crypto().encrypt(message, random_prefix=prefix) == base64.b64encode(result.stdout).decode()
    # and OpenSSL opens what we seal (its PKCS#7 check is 16-byte: strip WeCom's 32-byte padding ourselves)
    ours = base64.b64decode(crypto().encrypt(message))
    opened = subprocess.run(["openssl", "enc", "-d", "-aes-256-cbc", "-nopad", "-K", KEY.hex(), "-iv",
                             KEY[:16].hex()], input=ours, capture_output=True, check=True).stdout
    opened = opened[:-opened[-1]]
    (length,) = struct.unpack(">I", opened[16:20])
    assert opened[20:20 + length] == message and opened[20 + length:] == CORP_ID.encode()


def test_round_trip_and_fresh_random_prefix() -> None:
    c = crypto()
    first, second = c.encrypt(b"<xml/>"), c.encrypt(b"<xml/>")
    assert first != second  # a fresh prefix each time
    signature = c.signature("1409659813", "n1", first)
    assert c.decrypt(signature, "1409659813", "n1", first) == b"<xml/>"


@pytest.mark.parametrize("length", [0, 1, 11, 12, 13, 43, 44, 45, 300])
def test_padding_fills_32_byte_blocks(length: int) -> None:
    # 16 + 4 + message + 18 (the corp id): the padding is 1..32 bytes, never 0, always to a 32-byte boundary
    c = crypto()
    data = base64.b64decode(c.encrypt(b"x" * length))
    assert len(data) % 32 == 0
    assert c.decrypt(c.signature("1409659813", "n", base64.b64encode(data).decode()), "1409659813", "n",
                     base64.b64encode(data).decode()) == b"x" * length


def test_tampered_signature_is_refused() -> None:
    with pytest.raises(WeComCryptoError) as caught:
        crypto().decrypt("0" * 40, MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)
    assert caught.value.code == "signature-invalid"


def test_tampered_ciphertext_is_refused_before_decryption() -> None:
    tampered = "A" + MESSAGE_ENCRYPT[1:]
    with pytest.raises(WeComCryptoError) as caught:
        crypto().decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE, tampered)
    assert caught.value.code == "signature-invalid"


def test_tampered_timestamp_or_nonce_is_refused() -> None:
    for timestamp, nonce in (("1409659814", MESSAGE_NONCE), (MESSAGE_TIMESTAMP, "1372623148")):
        with pytest.raises(WeComCryptoError) as caught:
            crypto().decrypt(MESSAGE_SIGNATURE, timestamp, nonce, MESSAGE_ENCRYPT)
        assert caught.value.code == "signature-invalid"


def test_wrong_token_is_refused() -> None:
    other = WeComCrypto("other", AES_KEY, CORP_ID, clock=lambda: 1409659813)
    with pytest.raises(WeComCryptoError) as caught:
        other.decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)
    assert caught.value.code == "signature-invalid"


def test_message_sealed_for_another_corp_is_refused() -> None:
    with pytest.raises(WeComCryptoError) as caught:
        crypto(receive_id="wwanothercorp00000").decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE,
                                                        MESSAGE_ENCRYPT)
    assert caught.value.code == "receiver-mismatch"
    with pytest.raises(WeComCryptoError) as caught:
        crypto(receive_id="").verify_url(VERIFY_SIGNATURE, VERIFY_TIMESTAMP, VERIFY_NONCE, VERIFY_ECHOSTR)
    assert caught.value.code == "receiver-mismatch"


def _signed(c: WeComCrypto, encrypted: str) -> tuple[str, str, str, str]:
    return c.signature("1409659813", "n", encrypted), "1409659813", "n", encrypted


def test_good_padding_control() -> None:
    c = crypto()
    body = b"0" * 16 + struct.pack(">I", 2) + b"hi" + CORP_ID.encode()
    assert c.decrypt(*_signed(c, raw_encrypt(body + bytes([24]) * 24))) == b"hi"


@pytest.mark.parametrize("padding", [b"\x00" * 32, b"\x21" * 32, b"\x05" * 31 + b"\x06", b"\x07" * 25 + b"\x00" * 7])
def test_bad_padding_is_refused(padding: bytes) -> None:
    c = crypto()
    body = b"0" * 16 + struct.pack(">I", 2) + b"hi" + CORP_ID.encode()  # 40 bytes
    plain = (body + b"z" * 64)[: 64 - len(padding)] + padding  # 64 bytes ending in the wrong padding
    with pytest.raises(WeComCryptoError) as caught:
        c.decrypt(*_signed(c, raw_encrypt(plain)))
    assert caught.value.code == "decrypt-failed"


def test_length_past_the_end_and_garbage_are_refused() -> None:
    c = crypto()
    liar = b"0" * 16 + struct.pack(">I", 500) + b"hi" + CORP_ID.encode()
    liar += bytes([64 - len(liar)]) * (64 - len(liar))
    for encrypted in (raw_encrypt(liar), "not base64 !!", base64.b64encode(b"short").decode(), ""):
        with pytest.raises(WeComCryptoError) as caught:
            c.decrypt(*_signed(c, encrypted))
        assert caught.value.code == "decrypt-failed"


def test_stale_and_future_timestamps_are_refused() -> None:
    for now in (1409659813 + 301, 1409659813 - 301):
        with pytest.raises(WeComCryptoError) as caught:
            crypto(now=now).decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)
        assert caught.value.code == "timestamp-stale"
    # within the window either side, and with the check off
    assert crypto(now=1409659813 + 299).decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)
    assert crypto(now=2e9, max_age=None).decrypt(MESSAGE_SIGNATURE, MESSAGE_TIMESTAMP, MESSAGE_NONCE,
                                                 MESSAGE_ENCRYPT)


def test_check_timestamp_window_and_format() -> None:
    c = crypto(now=1000)
    assert c.check_timestamp("1000") == 1000
    assert c.check_timestamp("1290", window=300) == 1290
    with pytest.raises(WeComCryptoError) as caught:
        c.check_timestamp("1061", window=60)
    assert caught.value.code == "timestamp-stale"
    for bad in ("", "12a", "-5", "1e3", "١٠٠٠", "9" * 40):
        with pytest.raises(WeComCryptoError) as caught:
            c.check_timestamp(bad)
        assert caught.value.code == "timestamp-invalid"


def test_signature_comparison_ignores_case_only() -> None:
    c = crypto()
    assert c.decrypt(MESSAGE_SIGNATURE.upper(), MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)
    with pytest.raises(WeComCryptoError):
        c.decrypt("é" + MESSAGE_SIGNATURE[1:], MESSAGE_TIMESTAMP, MESSAGE_NONCE, MESSAGE_ENCRYPT)


def test_bad_encoding_aes_key_is_refused() -> None:
    for key in ("short", AES_KEY + "A", "!" * 43):
        with pytest.raises(WeComCryptoError) as caught:
            WeComCrypto(TOKEN, key, CORP_ID)
        assert caught.value.code == "key-invalid"


def test_encrypted_reply_xml_is_signed_and_opens() -> None:
    from defusedxml.ElementTree import fromstring

    c = crypto()
    reply = c.encrypted_reply_xml("<xml><Content><![CDATA[好]]></Content></xml>", "1409659813", "nonce]]>x")
    root = fromstring(reply)
    assert [child.tag for child in root] == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]
    values = {child.tag: child.text or "" for child in root}
    assert values["TimeStamp"] == "1409659813" and values["Nonce"] == "nonce]]>x"
    assert c.decrypt(values["MsgSignature"], values["TimeStamp"], values["Nonce"], values["Encrypt"]) == \
        "<xml><Content><![CDATA[好]]></Content></xml>".encode()
    with pytest.raises(WeComCryptoError):
        c.encrypted_reply_xml("<xml/>", "soon", "n")
