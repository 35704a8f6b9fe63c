"""Read a world file (YAML) into the typed `World`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.world.schema import World

DEMO_WORLD = Path(__file__).with_name("demo.yaml")


def _rows(raw: dict[str, Any]) -> dict[str, Any]:
    """The world file writes stock and safety stock as compact lists; name their fields (a stock row's fifth, its
    unit cost, is optional)."""
    data = dict(raw)
    data["stock"] = [dict(zip(("site", "location", "item", "quantity", "unit_cost")[:len(row)], row, strict=True))
                     for row in raw.get("stock", [])]
    data["safety_stock"] = [dict(zip(("site", "item", "minimum"), row, strict=True))
                            for row in raw.get("safety_stock", [])]
    data["maps"] = [{**m, "edges": [tuple(e) for e in m.get("edges", [])]} for m in raw.get("maps", [])]
    return data


def load_world(path: Path = DEMO_WORLD) -> World:
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return World.model_validate(_rows(raw))
