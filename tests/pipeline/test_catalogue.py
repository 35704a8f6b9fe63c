import string

from assistant.catalogue import MESSAGES, join_choices, say


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en, key
        assert _fields(zh) == _fields(en), key


def test_say_picks_the_language():
    assert say("unknown-item", "zh", text="飞机") == "没有找到物料“飞机”。"
    assert say("unknown-item", "en", text="plane") == "No item called 'plane'."


def test_choices_read_naturally():
    assert join_choices(["总装线A区", "总装线B区"], "zh") == "总装线A区还是总装线B区"
    assert join_choices(["line A", "line B", "QC"], "en") == "line A, line B or QC"
