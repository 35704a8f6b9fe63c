"""Who may do what: device tokens (issued, stored hashed, expiring, revocable) and the world's policies (roles,
sites, approval)."""

from assistant.access.policy import (
    INTENT_PERMISSIONS,
    Refusal,
    check,
    check_contact,
    check_intent,
    may_approve,
    sells_to,
)
from assistant.access.tokens import AccessBase, DeviceTokens, TokenInfo

__all__ = ["INTENT_PERMISSIONS", "AccessBase", "DeviceTokens", "Refusal", "TokenInfo", "check", "check_contact",
           "check_intent", "may_approve", "sells_to"]
