import pytest
from starlette.datastructures import Headers

from server.channels.dingtalk.callback import CallbackVerifier, verify_callback
from server.channels.dingtalk.errors import DingTalkError
from server.channels.dingtalk.sign import sign

SECRET = "fake-app-secret"
NOW_MS = 1_700_000_000_000


def headers(timestamp_ms: int, secret: str = SECRET) -> dict[str, str]:
    return {"timestamp": str(timestamp_ms), "sign": sign(timestamp_ms, secret)}


def verifier() -> CallbackVerifier:
    return CallbackVerifier(SECRET, clock=lambda: NOW_MS / 1000)


def code_of(check: object) -> str:
    with pytest.raises(DingTalkError) as caught:
        check()  # type: ignore[operator]
    return caught.value.code


def test_a_genuine_callback_is_accepted_within_the_hour_either_way() -> None:
    for skew_ms in (0, 59 * 60 * 1000, -59 * 60 * 1000):
        verifier().verify(headers(NOW_MS + skew_ms))


def test_a_wrong_signature_is_rejected() -> None:
    assert code_of(lambda: verifier().verify(headers(NOW_MS, secret="another-secret"))) == "signature-invalid"
    forged = {"timestamp": str(NOW_MS), "sign": sign(NOW_MS + 1, SECRET)}  # a signature for another timestamp
    assert code_of(lambda: verifier().verify(forged)) == "signature-invalid"
    assert code_of(lambda: verifier().verify({"timestamp": str(NOW_MS)})) == "signature-invalid"


def test_a_stale_or_future_timestamp_is_rejected_even_when_signed() -> None:
    for skew_ms in (61 * 60 * 1000, -61 * 60 * 1000):
        assert code_of(lambda skew_ms=skew_ms: verifier().verify(headers(NOW_MS - skew_ms))) == "timestamp-stale"


def test_a_missing_or_non_numeric_timestamp_is_rejected() -> None:
    assert code_of(lambda: verifier().verify({"sign": sign(NOW_MS, SECRET)})) == "timestamp-invalid"
    for bad in ("", "17e11", "-1700000000000", "１７００"):  # the last one: full-width digits
        assert code_of(lambda bad=bad: verify_callback(bad, "x", app_secret=SECRET, now_ms=NOW_MS)) \
            == "timestamp-invalid"


def test_header_names_are_matched_case_insensitively() -> None:
    signed = headers(NOW_MS)
    verifier().verify({"Timestamp": signed["timestamp"], "Sign": signed["sign"]})
    verifier().verify(Headers({"TIMESTAMP": signed["timestamp"], "SIGN": signed["sign"]}))


def test_the_signature_is_checked_over_the_header_text_as_sent() -> None:
    # A leading zero changes the signed text, so it must not verify against the signature of the bare number.
    padded = {"timestamp": "0" + str(NOW_MS), "sign": sign(NOW_MS, SECRET)}
    assert code_of(lambda: verifier().verify(padded)) == "signature-invalid"
