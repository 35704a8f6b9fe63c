from assistant.language.vocabulary import Stem, Term, Vocabulary, match_key
from assistant.world.schema import World


def test_terms_cover_every_name(world: World, vocabulary: Vocabulary) -> None:
    items = vocabulary.terms("item")
    assert Term("item", "CS-1001", None, "曲轴", True) in items
    assert Term("item", "CS-1001", None, "crankshaft", True) in items
    assert Term("item", "CS-1001", None, "crankshafts", False) in items
    assert {t.code for t in items} == {i.code for i in world.items}
    customers = vocabulary.terms("customer")
    assert Term("customer", "C000", None, "walk-in", False) in customers
    units = vocabulary.terms("unit")
    assert Term("unit", "liang", None, "两", True) in units
    assert Term("unit", "box", None, "boxes", False) in units


def test_location_terms_by_site(vocabulary: Vocabulary) -> None:
    dg = vocabulary.terms("location", "DG")
    assert Term("location", "DOCK-2", "DG", "dock two", False) in dg
    assert all(t.site == "DG" for t in dg)
    assert {t.code for t in vocabulary.terms("location", "FZ")} == {"SHOP", "BACK"}
    fs = vocabulary.terms("location", "FS")
    assert {t.code for t in fs} == {"FS-YARD", "FS-WH"}
    assert len(vocabulary.terms("location")) == len(dg) + len(vocabulary.terms("location", "FZ")) + len(fs)


def test_stems_name_several_locations(vocabulary: Vocabulary) -> None:
    assert Stem("DG", "总装线", ("LINE-A", "LINE-B")) in vocabulary.stems
    assert Stem("DG", "dock", ("DOCK-1", "DOCK-2", "DOCK-3")) in vocabulary.stems
    texts = {s.text for s in vocabulary.stems}
    assert "A0" not in texts  # "A01"/"A02" share no whole word
    assert "店面" not in texts  # a prefix of one location's own names is not ambiguous


def test_jieba_dictionary(vocabulary: Vocabulary) -> None:
    lines = vocabulary.jieba_dictionary().splitlines()
    rows = {line.split(" ")[0]: line.split(" ") for line in lines}
    assert all(len(parts) == 3 and int(parts[1]) >= 100_000 for parts in rows.values())
    assert rows["曲轴"][2] == "nz"
    assert rows["总装二线"][2] == "ns"
    assert rows["总装线"][2] == "ns"  # the ambiguous stem stays one word too
    assert rows["张三"][2] == "nr"
    assert "二号月台" in rows and "轴承6204" in rows
    assert "crankshaft" not in rows and "dock two" not in rows  # Chinese terms only
    assert "斤" not in rows and "两" not in rows  # units are not dictionary words
    assert len(lines) == len(rows)  # one line per word
    assert lines == sorted(lines)


def test_lookup_tables(vocabulary: Vocabulary) -> None:
    tables = vocabulary.lookup_tables()
    assert set(tables) == {"item", "location", "customer"}
    for elements in tables.values():
        assert [len(e) for e in elements] == sorted((len(e) for e in elements), reverse=True)
        assert len(elements) == len(set(elements))
    assert "总装线" in tables["location"]
    assert tables["location"].index("总装线B区") < tables["location"].index("总装线")
    assert "crankshafts" in tables["item"] and "陈老板" in tables["customer"]


def test_synonyms(vocabulary: Vocabulary) -> None:
    synonyms = vocabulary.synonyms()
    assert synonyms["LINE-B"][0] == "总装线B区"
    assert set(synonyms["LINE-B"]) == {"总装线B区", "总装二线", "总装线B", "assembly line B", "line B"}
    assert synonyms["CS-1001"][:2] == ["曲轴", "crankshaft"]
    assert synonyms["C007"] == ["陈老板", "chen lao ban"]  # the pinyin an English speaker says
    assert "pcs" not in synonyms


def test_match_key() -> None:
    assert match_key(" Dock  Two ") == "docktwo"
    assert match_key("总装线Ｂ区") == "总装线b区"


def test_vocabulary_is_deterministic(world: World) -> None:
    assert Vocabulary.from_world(world) == Vocabulary.from_world(world)
