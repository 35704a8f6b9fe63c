"""Models not installed yet: the app still starts; a photo or a recording is answered 503 in words and writes
nothing; once the models are laid out (`make setup`), the next one is read, without a restart."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import zxingcpp

from server.app import create_app
from server.settings import REPO_ROOT, Settings
from speech.models import MODELS_ENV, WHISPER_DIR
from tests.dialogue.conftest import label_png
from tests.support import free_port, issue, serve

SPOKEN = REPO_ROOT / "tests" / "fixtures" / "voice" / "zh01.wav"  # words: silence would need no model


def test_missing_models_are_said_then_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv(MODELS_ENV, str(models))  # no fallback to this checkout's models either
    port = free_port()
    settings = Settings(var_dir=tmp_path / "var", port=port, secret="models-test-secret", start_rasa=False,
                        models_dir=models, rasa_url=f"http://127.0.0.1:{free_port()}",
                        speech={"engines": {"zh": "whisper", "en": "whisper"}})
    photo = label_png("6931234500070", zxingcpp.BarcodeFormat.EAN13)  # a crankshaft's label
    with serve(create_app(settings), port) as url, httpx.Client(base_url=url, timeout=60, trust_env=False) as client:
        headers = {"Authorization": f"Bearer {issue(settings, 'HMD-01')}"}
        recording = {"audio": ("clip.wav", SPOKEN.read_bytes(), "audio/wav")}
        read = client.post("/api/v1/turns", files={"image": ("label.png", photo, "image/png")}, headers=headers)
        assert read.status_code == 503 and read.json()["error"]["code"] == "vision-models-missing", read.text
        assert "make setup" in read.json()["error"]["message"]
        heard = client.post("/api/v1/turns", files=recording, headers=headers)
        assert heard.status_code == 503 and heard.json()["error"]["code"] == "stt-unavailable", heard.text

        (models / "ocr").symlink_to(REPO_ROOT / "var" / "models" / "ocr")  # `make setup` ran meanwhile
        (models / WHISPER_DIR).symlink_to(REPO_ROOT / "var" / "models" / WHISPER_DIR)
        read = client.post("/api/v1/turns", files={"image": ("label.png", photo, "image/png")}, headers=headers)
        assert read.status_code == 200 and "CS-1001" in read.json()["reply"]["text"], read.text
        heard = client.post("/api/v1/turns", files=recording, headers=headers)
        # heard now; the words then go on to the dialogue engine, which this test does not run
        assert heard.status_code == 503 and heard.json()["error"]["code"] == "nlu-unavailable", heard.text
