"""MQTT topic names: `{base}/{manufacturer}/{serialNumber}/{topic}` with base `uagv/v2` (VDA 5050 §6.3).

A different base (e.g. `t123/uagv/v2`) isolates parallel test runs on one broker."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.fleet.validation import Topic

DEFAULT_BASE = "uagv/v2"


@dataclass(frozen=True)
class TopicAddress:
    manufacturer: str
    serial: str
    topic: Topic


def topic_name(base: str, manufacturer: str, serial: str, topic: Topic) -> str:
    return f"{base}/{manufacturer}/{serial}/{topic.value}"


def wildcard(base: str, topic: Topic) -> str:
    return f"{base}/+/+/{topic.value}"


def parse_topic(base: str, name: str) -> TopicAddress | None:
    """The vehicle and topic of `name`, or None when it is not a VDA 5050 topic under `base`."""
    prefix = base + "/"
    if not name.startswith(prefix):
        return None
    parts = name[len(prefix):].split("/")
    if len(parts) != 3:
        return None
    try:
        topic = Topic(parts[2])
    except ValueError:
        return None
    return TopicAddress(manufacturer=parts[0], serial=parts[1], topic=topic)
