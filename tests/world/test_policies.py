"""The world's policies: what each role may do, at its own site, and the words of a refusal."""

from __future__ import annotations

from assistant.access import check
from assistant.dialogue.refusals import refusal_text
from assistant.world.schema import Permission, World


def test_each_role_may_do_its_own_work(world: World) -> None:
    assert check(world, "W01", Permission.transfer) is None  # operator
    assert check(world, "W01", Permission.call_agv) is None
    assert check(world, "W12", Permission.sell) is None  # clerk
    assert check(world, "W03", Permission.approve) is None  # supervisor
    assert check(world, "W11", Permission.transfer) is None  # manager


def test_a_role_without_the_permission_is_refused_in_words(world: World) -> None:
    refusal = check(world, "W12", Permission.transfer)
    assert refusal is not None and refusal.reason == "role"
    assert refusal_text(world, refusal, "tablet", "zh") == "这台平板是福州茶叶店店员的设备，店员不能调拨。"
    assert "a clerk may not transfer stock" in refusal_text(world, refusal, "tablet", "en")
    assert check(world, "W01", Permission.sell) is not None  # an operator sells nothing
    assert check(world, "W01", Permission.approve) is not None


def test_no_one_reaches_into_another_site(world: World) -> None:
    refusal = check(world, "W11", Permission.transfer, ["DG"])
    assert refusal is not None and refusal.reason == "other-site"
    assert refusal_text(world, refusal, "tablet", "zh") == "这台平板属于福州茶叶店，不能调拨东莞汽配厂的物料。"
    assert check(world, "W01", Permission.transfer, ["DG"]) is None  # its own site


def test_a_device_nobody_uses_may_do_nothing(world: World) -> None:
    refusal = check(world, None, Permission.check_stock)
    assert refusal is not None and refusal_text(world, refusal, "tablet", "zh").startswith("这台设备没有登记使用人")
