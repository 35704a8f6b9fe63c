"""A confirmed move that takes an item below its safety stock alerts the site's group chat once per breach, through
the outbox with retries (a fake DingTalk custom robot on loopback that fails its first attempts)."""

from __future__ import annotations

import time

import pytest

from tests.dialogue.conftest import Stack

pytestmark = pytest.mark.rasa


def _alerts(stack: Stack) -> list[str]:
    return [p.body["markdown"]["text"] for p in stack.dingtalk.group_posts if p.key == "fake-group-token"]


def _wait_alerts(stack: Stack, count: int, timeout_s: float = 90) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if len(_alerts(stack)) >= count:
            return _alerts(stack)
        time.sleep(0.5)
    raise AssertionError(f"{len(_alerts(stack))} alerts, expected {count}")


def test_a_breach_alerts_the_group_once_after_failed_attempts(fresh: Stack) -> None:
    already = len(_alerts(fresh))
    fresh.dingtalk.fail("group-webhook", times=2)  # the robot is down twice: retried, never lost, never doubled
    read_back = fresh.turn("HMD-01", "调拨25件曲轴到总装线A区")
    assert read_back["awaiting"] == "confirmation", read_back["reply"]
    assert fresh.tap("HMD-01", "confirm")["documents"]
    alerts = _wait_alerts(fresh, already + 1)
    alert = alerts[already]
    assert "曲轴" in alert and "20" in alert and "15" in alert, alert  # below 20, at 15 left in storage
    # deeper below the same minimum: the same breach, no second alert
    fresh.turn("HMD-01", "调拨3件曲轴到总装线A区")
    assert fresh.tap("HMD-01", "confirm")["documents"]
    time.sleep(12)
    assert len(_alerts(fresh)) == already + 1
