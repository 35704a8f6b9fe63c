"""Walking directions after a confirmed transfer: spoken on the headset, and the route card beside the map."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "guidance-walk": ("请前往{place}，距离约{metres}米，步行约{eta}。",
                      "Walk to {place}, about {metres} metres, {eta} on foot."),
    "guidance-pass": ("先经过{place}。", "Pass {place} first."),
    "guidance-here": ("您已在{place}。", "You are at {place}."),
    "guidance-eta-seconds": ("{n}秒", "{n} s"),
    "guidance-eta-minutes": ("{n}分钟", "{n} min"),
    "guidance-card-title": ("→ {place}", "→ {place}"),
    "guidance-card-line": ("{metres} 米 · 约 {eta}", "{metres} m · ~{eta}"),
}
