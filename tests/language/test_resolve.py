import pytest

from assistant.language.resolve import Ambiguous, InOtherSite, Match, NotFound, Resolution, Resolver, clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("曲轴", Match("CS-1001")),
        ("曲轴总成", Match("CS-1001")),
        ("crankshafts", Match("CS-1001")),
        ("the crankshaft", Match("CS-1001")),
        ("Crankshaft", Match("CS-1001")),
        ("connecting rods", Match("CR-2002")),
        ("timing chains", Match("CH-5002")),  # plural of name_en
        ("轴承6204", Match("BR-6204")),
        ("６２０４轴承", Match("BR-6204")),
        ("螺栓", Match("BT-M8")),
        ("铁观音库存", Match("TEA-TGY")),  # text contains exactly one item's names
        ("铁观音", Match("TEA-TGY")),
        ("轴", Ambiguous(("CS-1001", "CM-1002", "BR-6204"))),
        ("飞机", NotFound("飞机", ())),
        ("曲抽", NotFound("曲抽", ("CS-1001",))),
    ],
)
def test_item(resolver: Resolver, text: str, expected: Resolution) -> None:
    assert resolver.item(text) == expected


@pytest.mark.parametrize(
    ("text", "site", "expected"),
    [
        ("总装二线", "DG", Match("LINE-B")),
        ("总装线B区", "DG", Match("LINE-B")),
        ("总装线B", "DG", Match("LINE-B")),
        ("到总装线B区", "DG", Match("LINE-B")),
        ("总装线B区那边", "DG", Match("LINE-B")),
        ("总装线Ｂ区", "DG", Match("LINE-B")),
        ("A区1号", "DG", Match("A-01")),  # contained in exactly one location's names
        ("A区1号货架", "DG", Match("A-01")),
        ("A01", "DG", Match("A-01")),
        ("2号月台", "DG", Match("DOCK-2")),
        ("二号月台", "DG", Match("DOCK-2")),
        ("dock two", "DG", Match("DOCK-2")),
        ("Dock Two", "DG", Match("DOCK-2")),
        ("assembly line B", "DG", Match("LINE-B")),
        ("to the assembly line A", "DG", Match("LINE-A")),
        ("the QC area", "DG", Match("QC")),
        ("质检", "DG", Match("QC")),
        ("总装线", "DG", Ambiguous(("LINE-A", "LINE-B"))),
        ("dock", "DG", Ambiguous(("DOCK-1", "DOCK-2", "DOCK-3"))),
        ("后仓", "DG", InOtherSite("BACK", "FZ")),
        ("仓库", "DG", InOtherSite("BACK", "FZ")),
        ("总装二线", "FZ", InOtherSite("LINE-B", "DG")),
        ("后仓", "FZ", Match("BACK")),
        ("后仓", None, Match("BACK")),
        ("店面", "FZ", Match("SHOP")),
        ("总装线", "FZ", NotFound("总装线", ())),  # several locations elsewhere: not one to point at
        ("飞机场", "DG", NotFound("飞机场", ())),
    ],
)
def test_location(resolver: Resolver, text: str, site: str | None, expected: Resolution) -> None:
    assert resolver.location(text, site) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", Match("C001")),
        ("陈老板", Match("C007")),
        ("给李四", Match("C002")),
        ("walk-in", Match("C000")),
        ("零售", Match("C000")),
        ("张三丰", Match("C001")),  # contains exactly one customer name
        ("马云", NotFound("马云", ())),
    ],
)
def test_customer(resolver: Resolver, text: str, expected: Resolution) -> None:
    assert resolver.customer(text) == expected


def test_suggestions_are_few_and_codes(resolver: Resolver) -> None:
    result = resolver.item("widgets")
    assert isinstance(result, NotFound)
    assert len(result.suggestions) <= 3


@pytest.mark.parametrize(
    ("text", "key"),
    [("到总装线B区", "总装线b区"), ("the crankshaft", "crankshaft"), ("to the QC area", "qcarea"), ("仓库里", "仓库"),
     ("  曲轴。", "曲轴"), ("到", "到")],
)
def test_clean(text: str, key: str) -> None:
    assert clean(text) == key
