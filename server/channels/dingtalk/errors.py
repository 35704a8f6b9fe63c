"""The one error type of the DingTalk protocol package: a machine code the caller can branch on, and a detail for logs.

The detail never carries secrets, tokens, webhook URLs or message text, so it can be logged as is."""

from __future__ import annotations

from typing import Literal

Code = Literal[
    "timestamp-invalid",  # callback: the `timestamp` header is missing or not milliseconds
    "timestamp-stale",  # callback: more than an hour away from our clock
    "signature-invalid",  # callback: the `sign` header is missing or wrong
    "message-malformed",  # a robot message that is not the documented JSON
    "host-not-allowed",  # a URL (download link, webhook) whose host is not on the allowed list
    "auth-failed",  # the access token could not be had (credentials rejected, or no token in the answer)
    "api-failed",  # DingTalk answered with an HTTP error, an error body or an unreadable body
    "api-unreachable",  # no answer: connection refused, DNS, timeout
    "download-too-large",  # a file beyond the configured limit
    "gateway-failed",  # the Stream gateway gave no endpoint and ticket
]


class DingTalkError(Exception):
    def __init__(self, code: Code, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code: Code = code
        self.detail = detail
