"""Who may do what: device tokens (issued, stored hashed, expiring, revocable)."""

from assistant.access.tokens import AccessBase, DeviceTokens, TokenInfo

__all__ = ["AccessBase", "DeviceTokens", "TokenInfo"]
