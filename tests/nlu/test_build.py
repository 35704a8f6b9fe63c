"""assistant.nlu.build: the generated vocabulary, the Jieba dictionary and the fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.nlu.build import GENERATED_DATA, JIEBA_FILE, build_project, fingerprint
from assistant.world.loader import load_world
from assistant.world.schema import World

NLU_DIR = Path(__file__).resolve().parents[2] / "nlu_data"


class StandInVocabulary:
    """A tiny vocabulary with the interface of assistant.language.vocabulary.Vocabulary."""

    def __init__(self, world: World) -> None:
        self.world = world

    def jieba_dictionary(self) -> str:
        return "".join(f"{i.name} 1000000 nz\n" for i in self.world.items)

    def lookup_tables(self) -> dict[str, list[str]]:
        items = [n for i in self.world.items for n in i.names]
        return {"item": sorted(items, key=lambda n: (-len(n), n))}

    def synonyms(self) -> dict[str, list[str]]:
        return {i.code: list(i.names) for i in self.world.items}


@pytest.fixture(scope="module")
def world() -> World:
    return load_world()


def _nlu(path: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"])


def _examples(block: dict[str, object]) -> list[str]:
    return [line[2:] for line in str(block["examples"]).splitlines() if line.startswith("- ")]


def test_build_writes_lookups_synonyms_and_dictionary(world: World, tmp_path: Path) -> None:
    built = build_project(world, NLU_DIR, tmp_path / "project")
    assert built.path == (tmp_path / "project").resolve()
    blocks = _nlu(built.path / GENERATED_DATA)
    lookups = {str(b["lookup"]): _examples(b) for b in blocks if "lookup" in b}
    assert set(lookups) == {"item", "location", "customer"}
    assert "曲轴" in lookups["item"] and "crankshaft" in lookups["item"]
    assert "总装线B区" in lookups["location"] and "张三" in lookups["customer"]
    lengths = [len(x) for x in lookups["location"]]
    assert lengths == sorted(lengths, reverse=True), "lookup tables must stay longest-first"
    synonyms = {str(b["synonym"]): _examples(b) for b in blocks if "synonym" in b}
    assert "曲轴" in synonyms["CS-1001"] and "总装二线" in synonyms["LINE-B"]
    dictionary = (built.path / JIEBA_FILE).read_text(encoding="utf-8")
    assert "曲轴 " in dictionary and "总装线B区 " in dictionary
    assert "dictionary_path: generated/jieba" in built.config.read_text(encoding="utf-8")
    # the project itself is copied, the held-out split included
    assert built.domain.is_file() and (built.path / "components/tokenizer.py").is_file()
    assert built.test_files and all(p.parent == built.path / "tests/nlu" for p in built.test_files)


def test_build_accepts_a_stand_in_vocabulary(world: World, tmp_path: Path) -> None:
    built = build_project(world, NLU_DIR, tmp_path / "p", vocabulary=StandInVocabulary(world))
    blocks = _nlu(built.path / GENERATED_DATA)
    assert [b["lookup"] for b in blocks if "lookup" in b] == ["item"]
    assert (built.path / JIEBA_FILE).read_text(encoding="utf-8").startswith("曲轴 1000000 nz")


def test_build_replaces_a_stale_build(world: World, tmp_path: Path) -> None:
    out = tmp_path / "project"
    (out / "data").mkdir(parents=True)
    (out / "data" / "stale.yml").write_text("nlu: []\n", encoding="utf-8")
    built = build_project(world, NLU_DIR, out)
    assert not (built.path / "data" / "stale.yml").exists()


def test_fingerprint_is_stable_and_follows_the_world(world: World, tmp_path: Path) -> None:
    first = build_project(world, NLU_DIR, tmp_path / "a")
    again = build_project(world, NLU_DIR, tmp_path / "b")
    assert first.fingerprint == again.fingerprint and len(first.fingerprint) == 64

    crank = world.items[0]
    changed = world.model_copy(update={"items": (crank.model_copy(update={"aliases": (*crank.aliases, "大曲轴")}),
                                                 *world.items[1:])})
    other = build_project(changed, NLU_DIR, tmp_path / "c")
    assert other.fingerprint != first.fingerprint


def test_fingerprint_covers_project_files_and_the_pin_but_not_the_held_out_split(
    world: World, tmp_path: Path
) -> None:
    built = build_project(world, NLU_DIR, tmp_path / "p")
    base = built.fingerprint
    test_file = built.test_files[0]
    test_file.write_text(test_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint(built.path) == base
    pin = built.path / "requirements-rasa.txt"
    pin.write_text(pin.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert fingerprint(built.path) != base
    pin.unlink()
    with pytest.raises(FileNotFoundError):
        fingerprint(built.path)


def test_build_refuses_a_directory_without_a_project(world: World, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        build_project(world, tmp_path, tmp_path / "out")
