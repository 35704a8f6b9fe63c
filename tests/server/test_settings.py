"""Engine settings from FRONTLINE_ environment variables: they reach the services the app builds, the earlier
flat names still work, and a bad value stops the start with the setting's name."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from server.services import build_services
from server.settings import Settings
from speech import SpeechService
from vision import VisionService


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean FRONTLINE_ environment (nothing from the shell that runs the tests) to set variables in."""
    for name in os.environ:
        if name.startswith("FRONTLINE_"):
            monkeypatch.delenv(name)
    return monkeypatch


def settings(**kwargs: object) -> Settings:
    return Settings(_env_file=None, **kwargs)  # type: ignore[arg-type]  # no .env file either


def test_nested_variables_reach_every_group(env: pytest.MonkeyPatch) -> None:
    for name, value in {
        "FRONTLINE_SPEECH__PARTIAL_INTERVAL_S": "0.5",
        "FRONTLINE_SPEECH__ENGINES__ZH": "whisper",
        "FRONTLINE_SPEECH__LANGUAGES": '["zh", "en", "ko"]',
        "FRONTLINE_SPEECH__WHISPER_BEAM_SIZE": "3",
        "FRONTLINE_SPEECH__VAD__END_SILENCE_S": "0.8",
        "FRONTLINE_SPEECH__LIMITS__MAX_DURATION_S": "60",
        "FRONTLINE_VISION__THREADS": "1",
        "FRONTLINE_VISION__MIN_LINE_CONFIDENCE": "0.6",
        "FRONTLINE_FLEET__MIN_BATTERY": "35",
        "FRONTLINE_FLEET__RESEND_S": "5",
    }.items():
        env.setenv(name, value)
    got = settings()
    assert got.speech.partial_interval_s == 0.5 and got.speech.engines == {"zh": "whisper"}
    assert got.speech.languages == ("zh", "en", "ko") and got.speech.whisper_beam_size == 3
    assert got.speech.vad.end_silence_s == 0.8 and got.speech.vad.threshold == 0.5  # the rest keeps its default
    assert got.speech.limits.max_duration_s == 60
    assert (got.vision.threads, got.vision.min_line_confidence, got.vision.variant) == (1, 0.6, "tiny")
    assert (got.fleet.min_battery, got.fleet.resend_s, got.fleet.base_topic) == (35, 5, "uagv/v2")


def test_earlier_flat_names_still_work(env: pytest.MonkeyPatch) -> None:
    env.setenv("FRONTLINE_OCR_VARIANT", "small")
    env.setenv("FRONTLINE_FLEET_BASE_TOPIC", "plant-7/uagv/v2")
    env.setenv("FRONTLINE_DEFAULT_LANGUAGE", "en")
    got = settings()
    assert got.vision.variant == "small" and got.fleet.base_topic == "plant-7/uagv/v2"
    assert got.speech.default_language == "en"


def test_the_earlier_name_follows_the_group(env: pytest.MonkeyPatch) -> None:
    """The simulator's launcher reads fleet_base_topic: it must see the topic the fleet service uses."""
    env.setenv("FRONTLINE_FLEET__BASE_TOPIC", "plant-8/uagv/v2")
    env.setenv("FRONTLINE_VISION__VARIANT", "small")
    got = settings()
    assert got.fleet_base_topic == "plant-8/uagv/v2" and got.ocr_variant == "small"
    env.delenv("FRONTLINE_FLEET__BASE_TOPIC")
    assert settings(fleet_base_topic="t-1/uagv/v2").fleet.base_topic == "t-1/uagv/v2"  # as the tests build it


def test_two_names_that_disagree_are_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("FRONTLINE_OCR_VARIANT", "small")
    env.setenv("FRONTLINE_VISION__VARIANT", "tiny")
    with pytest.raises(ValidationError, match=r"ocr_variant .* and vision\.variant .* disagree"):
        settings()


@pytest.mark.parametrize(("name", "value", "says"), [
    ("FRONTLINE_SPEECH__PARTIAL_INTERVAL_S", "-1", r"speech\.partial_interval_s\s+Input should be greater than 0"),
    ("FRONTLINE_SPEECH__PARTIAL_INTERVAL_S", "soon", r"speech\.partial_interval_s\s+Input should be a valid number"),
    ("FRONTLINE_SPEECH__ENGINES__ZH", "kaldi", r"speech\.engines\.zh\s+Input should be 'auto', 'vosk' or 'whisper'"),
    ("FRONTLINE_SPEECH__DEFAULT_LANGUAGE", "fr", r"default_language: fr not among languages"),
    ("FRONTLINE_SPEECH__VAD__THRESHOLD", "2", r"speech\.vad\.threshold\s+Input should be less than 1"),
    ("FRONTLINE_SPEECH__WHISPER_TREADS", "4", r"speech\.whisper_treads\s+Extra inputs are not permitted"),
    ("FRONTLINE_VISION__VARIANT", "large", r"vision\.variant\s+Input should be 'tiny' or 'small'"),
    ("FRONTLINE_VISION__THREADS", "0", r"vision\.threads\s+Input should be greater than or equal to 1"),
    ("FRONTLINE_OCR_VARIANT", "large", r"ocr_variant\s+Input should be 'tiny' or 'small'"),
    ("FRONTLINE_FLEET__MIN_BATTERY", "120", r"fleet\.min_battery\s+Input should be less than or equal to 100"),
    ("FRONTLINE_FLEET_BASE_TOPIC", "uagv/#", r"fleet_base_topic: String should match pattern"),
    ("FRONTLINE_FLEET__CLIENT_ID", "master-1", r"fleet\.client_id\s+Extra inputs are not permitted"),  # generated
])
def test_a_bad_value_is_refused_with_its_name(env: pytest.MonkeyPatch, name: str, value: str, says: str) -> None:
    env.setenv(name, value)
    with pytest.raises(ValidationError, match=says):
        settings()


async def test_settings_reach_the_running_engines(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The app as `frontline run` builds it, from environment variables only. The models are not loaded (the
    speech and vision tests do that): this is about which settings the engines were given."""
    topic = f"frontline-test-{uuid.uuid4().hex[:8]}/uagv/v2"
    for name, value in {
        "FRONTLINE_VAR_DIR": str(tmp_path), "FRONTLINE_MODELS_DIR": str(tmp_path / "models"),
        "FRONTLINE_SPEECH__PARTIAL_INTERVAL_S": "off", "FRONTLINE_SPEECH__WHISPER_THREADS": "1",
        "FRONTLINE_SPEECH__VAD__END_SILENCE_S": "0.9", "FRONTLINE_SPEECH__MIN_CONFIDENCE": "0.5",
        "FRONTLINE_OCR_VARIANT": "small", "FRONTLINE_VISION__THREADS": "1",
        "FRONTLINE_VISION__MIN_LINE_CONFIDENCE": "0.7",
        "FRONTLINE_FLEET_BASE_TOPIC": topic, "FRONTLINE_FLEET__MIN_BATTERY": "40", "FRONTLINE_FLEET__RESEND_S": "3",
    }.items():
        env.setenv(name, value)

    async def no_models(*_args: object) -> None:
        return None

    env.setattr(VisionService, "start", no_models)
    env.setattr(SpeechService, "warm_up", no_models)
    services = await build_services(settings(), httpx.MockTransport(lambda _request: httpx.Response(503)))
    try:
        speech = services.speech.settings
        assert speech.partial_interval_s is None and speech.whisper_threads == 1 and speech.min_confidence == 0.5
        assert speech.vad.end_silence_s == 0.9
        assert speech.whisper_dir == tmp_path / "models" / "whisper-base"  # where `make setup` puts it
        assert services.vision.settings.model_dump() == {"variant": "small", "threads": 1, "min_line_confidence": 0.7,
                                                         "recogniser": "small", "second_opinion": "tiny"}
        await services.fleet.wait_connected()  # running on the embedded broker, subscribed under the topic
        fleet = services.fleet._config
        assert (fleet.base_topic, fleet.min_battery, fleet.resend_s) == (topic, 40, 3)
        assert fleet.client_id.startswith("frontline-master-")  # generated per process, never configured
    finally:
        await services.aclose()
