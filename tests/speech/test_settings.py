"""`SpeechSettings` refuses what would only fail later, on a worker's first command."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from speech import SpeechSettings


def test_defaults_are_todays() -> None:
    settings = SpeechSettings()
    assert settings.languages == ("zh", "en") and settings.default_language == "zh"
    assert (settings.whisper_beam_size, settings.whisper_threads, settings.partial_interval_s) == (2, 2, 1.0)
    assert settings.min_confidence == 0.35 and settings.vosk_grammar and not settings.allow_download
    assert (settings.limits.max_bytes, settings.limits.max_duration_s) == (10 * 1024 * 1024, 30.0)
    assert (settings.vad.threshold, settings.vad.min_speech_s, settings.vad.end_silence_s, settings.vad.pad_s) == (
        0.5, 0.15, 0.6, 0.25)


@pytest.mark.parametrize("written", ["off", "none", ""])
def test_captions_can_be_switched_off(written: str) -> None:
    assert SpeechSettings(partial_interval_s=written).partial_interval_s is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "says"), [
    ({"default_language": "ko"}, "default_language: ko not among languages"),
    ({"engines": {"ko": "vosk"}}, "engines: ko not among languages"),
    ({"engines": {"zh": "kaldi"}}, "engines.zh"),
    ({"languages": ["zh,en"]}, "languages.0"),
    ({"languages": []}, "languages"),
    ({"whisper_beam_size": 0}, "whisper_beam_size"),
    ({"partial_interval_s": 0}, "partial_interval_s"),
    ({"min_confidence": 1.5}, "min_confidence"),
    ({"vad": {"threshold": 1.0}}, "vad.threshold"),
    ({"limits": {"max_duration_s": -1}}, "limits.max_duration_s"),
    ({"whisper_treads": 4}, "whisper_treads"),  # a misspelt setting is an error, not silently ignored
])
def test_bad_values_are_refused(changes: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says.replace(".", r"\.")):
        SpeechSettings.model_validate(changes)


def test_a_vosk_model_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"vosk_dirs\.zh"):
        SpeechSettings(vosk_dirs={"zh": tmp_path / "vosk-model-cn"})
    assert SpeechSettings(vosk_dirs={"zh": tmp_path}).vosk_dirs == {"zh": tmp_path}


def test_closed_domain_decoding_is_a_setting_of_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """On by default (docs/accuracy.md says why); the app's environment turns it off for a slow CPU."""
    from server.settings import Settings

    assert SpeechSettings().closed_domain and SpeechSettings().closed_domain_slack == 0.5
    monkeypatch.setenv("FRONTLINE_SPEECH__CLOSED_DOMAIN", "false")
    monkeypatch.setenv("FRONTLINE_SPEECH__CLOSED_DOMAIN_SLACK", "0.75")
    speech = Settings().speech
    assert not speech.closed_domain and speech.closed_domain_slack == 0.75
    with pytest.raises(ValidationError, match="closed_domain_slack"):
        SpeechSettings(closed_domain_slack=-1)
