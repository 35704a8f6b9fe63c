import pytest

from assistant.language.detect import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("调拨5件曲轴到总装线B区", "zh"), ("transfer five crankshafts", "en"), ("AGV-01 到 二号月台", "zh"),
        ("QC area", "en"), ("ｈｅｌｌｏ", "en"), ("5", "zh"), ("", "zh"), ("👍", "zh"), ("ok 好的", "zh"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang
