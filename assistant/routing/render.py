"""The route map for the headset (854×480): SVG for the web view, PNG drawn with Pillow (no native cairo).

Both come from one `Scene` in screen pixels so the two pictures agree. Labels are location codes (ASCII):
Pillow's bundled font has no CJK glyphs. The SVG carries its frame (`data-frame="x0 y0 scale"`: a map point (x, y)
in metres is at MARGIN + (x - x0)·scale, HEIGHT - MARGIN - (y - y0)·scale) and each AGV marker its serial
(`data-serial`), so a live view can move an AGV on it as the vehicle reports its position."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from assistant.routing.models import AgvMarker, Route
from assistant.world.schema import LocationKind, Site, SiteMap

WIDTH, HEIGHT, MARGIN = 854, 480, 36
Point = tuple[float, float]
_QUOTE = {"\"": "&quot;"}  # escape() for an attribute value
COLOURS = {"bg": "#101418", "aisle": "#3a4550", "rack": "#5b6b7a", "place": "#2f6f8f", "route": "#22c3ff",
           "worker": "#3ddc84", "goal": "#ff5252", "agv": "#ffb300", "text": "#e8eef2"}


@dataclass(frozen=True)
class Scene:
    aisles: tuple[tuple[Point, Point], ...]
    places: tuple[tuple[str, Point, bool], ...]  # label, position, is a rack
    route: tuple[Point, ...]
    agvs: tuple[tuple[str, Point], ...]
    frame: tuple[float, float, float] = (0.0, 0.0, 1.0)  # min x, min y of the map (metres), pixels per metre

    @classmethod
    def build(cls, site: Site, site_map: SiteMap, route: Route, agvs: Sequence[AgvMarker]) -> Scene:
        xs = [x for x, _ in site_map.nodes.values()]
        ys = [y for _, y in site_map.nodes.values()]
        span = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
        scale = min((WIDTH - 2 * MARGIN) / span[0], (HEIGHT - 2 * MARGIN) / span[1])

        def px(x: float, y: float) -> Point:
            # Map y grows "up" in the world file; screen y grows down.
            return (round(MARGIN + (x - min(xs)) * scale, 1), round(HEIGHT - MARGIN - (y - min(ys)) * scale, 1))

        nodes = {n: px(*xy) for n, xy in site_map.nodes.items()}
        places = tuple((loc.code, nodes[loc.node], loc.kind is LocationKind.rack)
                       for loc in site.locations if loc.node in nodes)
        return cls(aisles=tuple((nodes[a], nodes[b]) for a, b in site_map.edges), places=places,
                   route=tuple(px(w.x, w.y) for w in route.waypoints),
                   agvs=tuple((a.serial, px(a.x, a.y)) for a in agvs), frame=(min(xs), min(ys), scale))


def render_svg(scene: Scene) -> str:
    c = COLOURS
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" '
           f'data-frame="{scene.frame[0]:g} {scene.frame[1]:g} {scene.frame[2]:.6g}">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{c["bg"]}"/>']
    out += [f'<line x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}" stroke="{c["aisle"]}" stroke-width="6" '
            f'stroke-linecap="round"/>' for a, b in scene.aisles]
    for label, (x, y), rack in scene.places:
        out.append(f'<rect class="{"rack" if rack else "place"}" x="{x - 14}" y="{y - 9}" width="28" height="18" '
                   f'rx="3" fill="{c["rack"] if rack else c["place"]}"/>')
        out.append(f'<text x="{x}" y="{y - 13}" font-size="11" text-anchor="middle" fill="{c["text"]}">'
                   f'{escape(label)}</text>')
    if len(scene.route) > 1:
        points = " ".join(f"{x},{y}" for x, y in scene.route)
        out.append(f'<polyline class="route" points="{points}" fill="none" stroke="{c["route"]}" '
                   f'stroke-width="5" stroke-linejoin="round" stroke-linecap="round"/>')
    if scene.route:
        (wx, wy), (gx, gy) = scene.route[0], scene.route[-1]
        out.append(f'<circle class="goal" cx="{gx}" cy="{gy}" r="10" fill="none" stroke="{c["goal"]}" '
                   f'stroke-width="4"/>')
        out.append(f'<circle class="worker" cx="{wx}" cy="{wy}" r="9" fill="{c["worker"]}"/>')
    for serial, (x, y) in scene.agvs:
        tag = escape(serial, _QUOTE)
        out.append(f'<rect class="agv" data-serial="{tag}" x="{x - 9}" y="{y - 9}" width="18" height="18" '
                   f'fill="{c["agv"]}"/>')
        out.append(f'<text class="agv-label" data-serial="{tag}" x="{x}" y="{y + 22}" font-size="11" '
                   f'text-anchor="middle" fill="{c["agv"]}">'
                   f'{escape(serial)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def render_png(scene: Scene) -> bytes:
    c = COLOURS
    image = Image.new("RGB", (WIDTH, HEIGHT), c["bg"])
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=11)
    for a, b in scene.aisles:
        draw.line([a, b], fill=c["aisle"], width=6)
    for label, (x, y), rack in scene.places:
        draw.rounded_rectangle([x - 14, y - 9, x + 14, y + 9], radius=3, fill=c["rack"] if rack else c["place"])
        draw.text((x, y - 13), label, fill=c["text"], font=font, anchor="ms")
    if len(scene.route) > 1:
        draw.line(list(scene.route), fill=c["route"], width=5, joint="curve")
    if scene.route:
        (wx, wy), (gx, gy) = scene.route[0], scene.route[-1]
        draw.ellipse([gx - 10, gy - 10, gx + 10, gy + 10], outline=c["goal"], width=4)
        draw.ellipse([wx - 9, wy - 9, wx + 9, wy + 9], fill=c["worker"])
    for serial, (x, y) in scene.agvs:
        draw.rectangle([x - 9, y - 9, x + 9, y + 9], fill=c["agv"])
        draw.text((x, y + 22), serial, fill=c["agv"], font=font, anchor="ms")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
