from server.channels.dingtalk.sign import sign, signature_matches


def test_sign_is_base64_hmac_sha256_of_timestamp_and_secret() -> None:
    # Computed independently: printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    assert sign(1700000000000, "SECabc") == "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM="
    assert signature_matches("1700000000000", "SECabc", sign(1700000000000, "SECabc"))
    assert not signature_matches("1700000000001", "SECabc", sign(1700000000000, "SECabc"))
