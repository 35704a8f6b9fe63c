"""The one catalogue: every code has both languages with the same placeholders, and every code the code base
says exists."""

import ast
import string
from pathlib import Path

from assistant.catalogue import CATALOGUE, has, join_choices, say

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "actions", "server", "speech", "vision")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for code, (zh, en) in CATALOGUE.items():
        assert zh and en, code
        assert _fields(zh) == _fields(en), code


def _said_codes() -> set[str]:
    """Codes passed literally to say()/both()/error_out()/TurnError()/ApiError() anywhere in the code base."""
    codes: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                first = node.args[0]
                if name in ("say", "both", "error_out", "TurnError", "ApiError") and isinstance(first, ast.Constant) \
                        and isinstance(first.value, str):
                    codes.add(first.value)
    return codes


def test_every_code_said_is_in_the_catalogue():
    missing = sorted(code for code in _said_codes() if not has(code))
    assert missing == []


def test_say_picks_the_language():
    assert say("unknown-item", "zh", text="飞机") == "没有找到物料“飞机”。"
    assert say("unknown-item", "en", text="plane") == "No item called 'plane'."
    assert say("unknown-item", None, text="飞机") == "没有找到物料“飞机”。"  # Mandarin first


def test_choices_read_naturally():
    assert join_choices(["总装线A区", "总装线B区"], "zh") == "总装线A区还是总装线B区"
    assert join_choices(["line A", "line B", "QC"], "en") == "line A, line B or QC"


def test_filled_in_digits_never_run_together() -> None:
    from assistant.catalogue import say

    assert say("read-back-transfer", "zh", item="螺栓M8", amount="200件", to="总装线A区") == \
        "调拨螺栓M8 200件到总装线A区，确认吗?"
    assert say("read-back-transfer", "zh", item="曲轴", amount="5件", to="总装线A区") == \
        "调拨曲轴5件到总装线A区，确认吗?"
