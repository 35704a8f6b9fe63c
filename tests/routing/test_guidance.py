"""Walking guidance for the AR headset: card, speech (Mandarin first), route, SVG and PNG map."""

from __future__ import annotations

import io

from PIL import Image

from assistant.routing import AgvMarker, Router
from assistant.world.loader import load_world


def test_guidance_to_line_b_from_the_charging_corner() -> None:
    guidance = Router(load_world()).guidance("DG", "C2", "LINE-B", agvs=[AgvMarker(serial="AGV-01", x=10, y=0)])
    assert guidance.destination == "LINE-B" and guidance.destination_name == "总装线B区"
    assert guidance.route.nodes[0] == "C2" and guidance.route.nodes[-1] == "LB"
    assert guidance.distance_m == guidance.route.length_m
    assert guidance.eta_s == round(guidance.distance_m / 1.2, 1)
    assert guidance.card.title == "→ 总装线B区" and 1 <= len(guidance.card.lines) <= 2
    assert all(len(line) <= 32 for line in [guidance.card.title, *guidance.card.lines])  # fits 854 px
    metres = round(guidance.distance_m)
    assert guidance.tts_zh.startswith("请前往总装线B区") and f"{metres}米" in guidance.tts_zh
    assert "assembly line B" in guidance.tts_en and f"{metres} metres" in guidance.tts_en
    svg = guidance.svg
    assert svg.startswith("<svg") and 'width="854" height="480"' in svg
    assert 'class="route"' in svg and 'class="worker"' in svg and 'class="agv"' in svg and 'class="rack"' in svg
    assert "AGV-01" in svg and "LINE-B" in svg
    image = Image.open(io.BytesIO(guidance.png))
    assert image.format == "PNG" and image.size == (854, 480)
    assert guidance.model_dump(mode="json")["route"]["waypoints"][0] == {"node": "C2", "x": 0.0, "y": 4.0}


def test_guidance_when_already_there() -> None:
    guidance = Router(load_world()).guidance("DG", "LB", "LINE-B")
    assert guidance.distance_m == 0 and guidance.tts_zh == "您已在总装线B区。"
