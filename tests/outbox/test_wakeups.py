"""Waking the delivery loops when documents changed."""

from __future__ import annotations

from assistant.outbox import Wakeups


def test_every_registered_loop_is_woken_until_taken_off() -> None:
    woken: list[str] = []
    wakeups = Wakeups()
    wakeups.wake()  # nobody registered: nothing happens
    off = wakeups.add(lambda: woken.append("partners"))
    wakeups.add(lambda: woken.append("alerts"))
    wakeups.wake()
    off()
    off()  # twice is harmless
    wakeups.wake()
    assert woken == ["partners", "alerts", "alerts"]
