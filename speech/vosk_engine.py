"""Vosk (Kaldi) streaming recognition: one `KaldiRecognizer` per session, reused across utterances
with `Reset()` (building one per utterance is ~14× slower), Kaldi's own endpointing, and a grammar of
the site's words when the model is a lookahead model (graph/HCLr.fst + Gr.fst) that supports one."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import structlog

from speech.audio import SAMPLE_RATE, Pcm, pcm_bytes
from speech.engine import Context, EngineResult
from speech.results import Word

log = structlog.get_logger(__name__)

_FST_MAGIC = 2125659606
_SYMBOLS_MAGIC = 2125658996
_SPLIT = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_UNK = "[unk]"


def read_model_words(model_dir: Path) -> frozenset[str] | None:
    """The words a model can recognise: graph/words.txt, else the symbol table inside graph/Gr.fst."""
    for path in (model_dir / "graph" / "words.txt", model_dir / "words.txt"):
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                return frozenset(line.split()[0] for line in fh if line.strip())
    gr = model_dir / "graph" / "Gr.fst"
    return _fst_symbols(gr) if gr.is_file() else None


def _fst_symbols(path: Path) -> frozenset[str] | None:
    """The input symbol table embedded in an OpenFst binary file (read from its header only)."""
    with path.open("rb") as fh:
        def i32() -> int:
            return int(struct.unpack("<i", fh.read(4))[0])

        def i64() -> int:
            return int(struct.unpack("<q", fh.read(8))[0])

        def text() -> str:
            return fh.read(i32()).decode("utf-8", "replace")

        if i32() != _FST_MAGIC:
            return None
        text(), text()            # fst type, arc type
        i32()                     # version
        flags = i32()
        fh.read(8 + 8 + 8 + 8)    # properties, start, number of states, number of arcs
        if not flags & 1 or i32() != _SYMBOLS_MAGIC:
            return None
        text()                    # table name
        i64()                     # available key
        words: set[str] = set()
        for _ in range(i64()):
            words.add(text())
            i64()                 # the symbol's key
        return frozenset(words)


class VoskTranscriber:
    engine = "vosk"

    def __init__(self, model_dir: Path | None, language: str, *, allow_download: bool = False,
                 use_grammar: bool = True) -> None:
        import vosk  # deferred: loads the Kaldi shared library

        vosk.SetLogLevel(-1)
        if model_dir is not None:
            self._model = vosk.Model(str(model_dir))
        elif allow_download:  # only where a deployment has internet; never in tests
            self._model = vosk.Model(lang=language)
        else:
            raise FileNotFoundError(f"no Vosk model for {language!r}")
        self._vosk: Any = vosk
        self.language = language
        self._words = read_model_words(model_dir) if model_dir is not None else None
        lookahead = model_dir is not None and (model_dir / "graph" / "Gr.fst").is_file()
        self.supports_grammar = use_grammar and lookahead
        self._pool: dict[str, list[Any]] = {}   # idle recognizers per grammar, for one-shot recognition
        self._pool_lock = threading.Lock()
        log.info("speech.vosk.loaded", language=language, model_dir=str(model_dir), grammar=self.supports_grammar,
                 words=len(self._words) if self._words is not None else None)

    def knows(self, word: str) -> bool:
        if self._words is not None:
            return word in self._words
        return int(self._model.vosk_model_find_word(word)) >= 0

    def grammar(self, phrases: Iterable[str]) -> tuple[str, ...]:
        """Grammar phrases made only of words the model knows (Vosk silently drops the others, which
        would leave a phrase it can no longer recognise). Chinese phrases are split into known words."""
        out: list[str] = []
        for phrase in phrases:
            words: list[str] = []
            for token in _SPLIT.split(phrase.strip().lower() if phrase.isascii() else phrase.strip()):
                if not token:
                    continue
                if self.knows(token):
                    words.append(token)
                elif _CJK.search(token) and (pieces := self._segment(token)):
                    words += pieces
                else:
                    words = []
                    break
            if words:
                out.append(" ".join(words))
        if out and self.knows(_UNK):
            out.append(_UNK)  # lets out-of-grammar speech come out as [unk] instead of a forced match
        return tuple(dict.fromkeys(out))

    def _segment(self, text: str) -> list[str] | None:
        """Greedy longest-first split of a Chinese name into model words, None when impossible."""
        pieces: list[str] = []
        i = 0
        while i < len(text):
            for j in range(len(text), i, -1):
                if self.knows(text[i:j]):
                    pieces.append(text[i:j])
                    i = j
                    break
            else:
                return None
        return pieces

    def new_recognizer(self, grammar: tuple[str, ...]) -> Any:
        if grammar and self.supports_grammar:
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE, json.dumps(list(grammar), ensure_ascii=False))
        else:
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        rec.SetWords(True)
        return rec

    def recognize(self, pcm: Pcm, context: Context) -> EngineResult:
        key = "\n".join(context.grammar)
        with self._pool_lock:
            idle = self._pool.setdefault(key, [])
            rec = idle.pop() if idle else self.new_recognizer(context.grammar)
        try:
            rec.AcceptWaveform(pcm_bytes(pcm))
            return parse_result(rec.FinalResult(), self.language)
        finally:
            rec.Reset()
            with self._pool_lock:
                self._pool[key].append(rec)

    def open_session(self, context: Context) -> VoskSession:
        return VoskSession(self.new_recognizer(context.grammar), self.language)


class VoskSession:
    def __init__(self, recognizer: Any, language: str) -> None:
        self._rec = recognizer
        self._language = language
        self._last_partial = ""

    def accept(self, pcm: Pcm) -> EngineResult | str | None:
        if self._rec.AcceptWaveform(pcm_bytes(pcm)):  # Kaldi's endpointing: an utterance ended
            self._last_partial = ""
            return parse_result(self._rec.Result(), self._language)
        partial = str(json.loads(self._rec.PartialResult()).get("partial", ""))
        if partial == self._last_partial:
            return None
        self._last_partial = partial
        return partial

    def finish(self) -> EngineResult:
        result = parse_result(self._rec.FinalResult(), self._language)
        self._rec.Reset()
        self._last_partial = ""
        return result


class VoskStream:
    """A Vosk session on a connection: Kaldi decodes as the audio comes (in a worker thread), and every chunk is
    answered with the partial so far, changed or not."""

    def __init__(self, session: VoskSession) -> None:
        self._session = session
        self._partial = ""

    async def accept(self, pcm: Pcm) -> EngineResult | str:
        event = await asyncio.to_thread(self._session.accept, pcm)
        if isinstance(event, EngineResult):
            self._partial = ""
            return event
        if event is not None:
            self._partial = event
        return self._partial

    async def finish(self) -> EngineResult:
        self._partial = ""
        return await asyncio.to_thread(self._session.finish)


def parse_result(raw: str, language: str) -> EngineResult:
    data = json.loads(raw)
    words = tuple(Word(w["word"], float(w["start"]), float(w["end"]), float(w.get("conf", 1.0)))
                  for w in data.get("result", []) if w.get("word") != _UNK)
    text = " ".join(w.text for w in words) if words else str(data.get("text", "")).replace(_UNK, "").strip()
    confidence = sum(w.confidence for w in words) / len(words) if words else (1.0 if text else 0.0)
    return EngineResult(text, round(confidence, 3), words, language)
