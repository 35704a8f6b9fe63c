"""Walking guidance for the AR headset: route, SVG and PNG map as data; card and speech rendered in the reader's
language (Mandarin first) from the catalogue."""

from __future__ import annotations

import io

from PIL import Image

from assistant.dialogue.directions import card, spoken
from assistant.routing import AgvMarker, Guidance, Router
from assistant.world.loader import load_world


def _to_line_b() -> Guidance:
    return Router(load_world()).guidance("DG", "C2", "LINE-B", agvs=[AgvMarker(serial="AGV-01", x=10, y=0)])


def test_guidance_to_line_b_from_the_charging_corner() -> None:
    guidance = _to_line_b()
    assert guidance.destination == "LINE-B" and guidance.location.name == "总装线B区"
    assert guidance.route.nodes[0] == "C2" and guidance.route.nodes[-1] == "LB" and not guidance.arrived
    assert guidance.distance_m == guidance.route.length_m
    assert guidance.eta_s == round(guidance.distance_m / 1.2, 1)
    svg = guidance.svg
    assert svg.startswith("<svg") and 'width="854" height="480"' in svg
    assert 'class="route"' in svg and 'class="worker"' in svg and 'class="agv"' in svg and 'class="rack"' in svg
    assert "AGV-01" in svg and "LINE-B" in svg
    image = Image.open(io.BytesIO(guidance.png))
    assert image.format == "PNG" and image.size == (854, 480)
    assert guidance.model_dump(mode="json")["route"]["waypoints"][0] == {"node": "C2", "x": 0.0, "y": 4.0}


def test_guidance_carries_no_words() -> None:
    dumped = _to_line_b().model_dump(mode="json")
    assert not {"card", "tts_zh", "tts_en", "destination_name"} & dumped.keys()


def test_guidance_is_said_in_mandarin_and_in_english() -> None:
    guidance = _to_line_b()
    metres, seconds = round(guidance.distance_m), round(guidance.eta_s)
    assert seconds < 60  # the demo map is small: the ETA is said in seconds
    passing = guidance.passing
    assert passing is not None and passing.node in guidance.route.nodes[1:-1]
    assert spoken(guidance, "zh") == (f"请前往总装线B区，距离约{metres}米，步行约{seconds}秒。"
                                      f"先经过{passing.name}。")
    assert spoken(guidance, "en") == (f"Walk to assembly line B, about {metres} metres, {seconds} s on foot. "
                                      f"Pass {passing.display_name('en')} first.")


def test_the_card_is_in_the_readers_language_only() -> None:
    guidance = _to_line_b()
    metres, seconds = round(guidance.distance_m), round(guidance.eta_s)
    zh, en = card(guidance, "zh"), card(guidance, "en")
    assert zh.title == "→ 总装线B区" and zh.lines == (f"{metres} 米 · 约 {seconds}秒",)
    assert en.title == "→ assembly line B" and en.lines == (f"{metres} m · ~{seconds} s",)
    assert all(len(line) <= 32 for c in (zh, en) for line in [c.title, *c.lines])  # fits 854 px


def test_guidance_when_already_there() -> None:
    guidance = Router(load_world()).guidance("DG", "LB", "LINE-B")
    assert guidance.distance_m == 0 and guidance.arrived and guidance.passing is None
    assert spoken(guidance, "zh") == "您已在总装线B区。" and spoken(guidance, "en") == "You are at assembly line B."


def test_a_long_walk_is_said_in_minutes() -> None:
    far = _to_line_b().model_copy(update={"distance_m": 150.0, "eta_s": 125.0, "passing": None})
    assert spoken(far, "zh") == "请前往总装线B区，距离约150米，步行约2分钟。"
    assert card(far, "en").lines == ("150 m · ~2 min",)


def test_the_map_says_where_a_point_of_the_site_is_drawn() -> None:
    """A live view moves an AGV on the map from its reported position: the SVG's frame puts every waypoint on the
    route as drawn, and each AGV marker names its vehicle."""
    import re

    from assistant.routing.render import HEIGHT, MARGIN

    guidance = _to_line_b()
    x0, y0, scale = map(float, re.search(r'data-frame="([^"]+)"', guidance.svg)[1].split())  # type: ignore[index]
    drawn = re.search(r'class="route" points="([^"]+)"', guidance.svg)[1].split()  # type: ignore[index]
    for waypoint, point in zip(guidance.route.waypoints, drawn, strict=True):
        px, py = map(float, point.split(","))
        assert abs(MARGIN + (waypoint.x - x0) * scale - px) < 0.1
        assert abs(HEIGHT - MARGIN - (waypoint.y - y0) * scale - py) < 0.1
    assert '<rect class="agv" data-serial="AGV-01"' in guidance.svg
    assert 'class="agv-label" data-serial="AGV-01"' in guidance.svg
