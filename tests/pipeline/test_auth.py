from assistant.auth import issue_token, verify_token

KEY = b"k" * 32


def test_token_round_trip():
    assert verify_token(KEY, issue_token(KEY, "HMD-01")) == "HMD-01"


def test_forged_or_foreign_tokens_are_refused():
    token = issue_token(KEY, "HMD-01")
    assert verify_token(KEY, token.replace("HMD-01", "PAD-01")) is None
    assert verify_token(b"x" * 32, token) is None
    assert verify_token(KEY, "") is None
    assert verify_token(KEY, "HMD-01") is None
