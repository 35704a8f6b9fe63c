"""Closed-domain decoding: after Whisper's free decode, score the sentences the site could have meant
(`speech.candidates`) with Whisper's own decoder against the same encoding, and keep the most probable.

The free decode is scored alongside them, without a prompt (the site prompt it was decoded under would favour
it), so the two compare on one scale. When every name in the free decode is a site name heard letter for letter,
it is one of the site's sentences, and the most probable of it and the candidates wins. Otherwise a candidate
replaces it when not clearly less probable per token (`slack`): Whisper's beam search maximises exactly this
probability, so on poor audio its own text — often names recited from the prompt — scores above every sentence
that makes sense, and the slack is how much of that advantage is discounted for a sentence the site can say.

The confidence of a chosen candidate is what a turn acts on, so it is kept honest:
- the engine's confidence in the audio (that of its free decode), lowered by how much less probable per token the
  candidate is than the free decode (never raised: a candidate cannot make the audio clearer), times
- the candidate's share of the probability among the site's sentences scored, pooled by what they would be read as
  (two ways of naming one item are one reading): two readings scoring close both stay below the turn's bar for
  acting, and the turn asks. A free decode of site names keeps its place only with its share of the probability.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
import zhconv

from speech.audio import Pcm
from speech.candidates import Candidate, CandidateGenerator
from speech.engine import EngineResult
from speech.whisper_engine import TokenScore

log = structlog.get_logger(__name__)

# Per-token log-probability a candidate may lose against the free decode and still replace it (measured on a
# separate draw of the voice dev set, docs/accuracy.md "Closed-domain decoding").
DEFAULT_SLACK = 0.5
MAX_CANDIDATES = 16  # each costs about a tenth of the free decode


class SentenceScorer(Protocol):
    """`WhisperTranscriber.score`: each text's log-probability as the transcript of the audio."""

    def score(self, pcm: Pcm, language: str, texts: Sequence[str], prompt: str = "") -> list[TokenScore]: ...


@dataclass(frozen=True, slots=True)
class Scored:
    candidate: Candidate
    score: TokenScore


@dataclass(frozen=True, slots=True)
class Choice:
    """What closed-domain decoding kept: the text, its confidence, where it came from ("heard" when the free
    decode stayed), the per-token margin over the free decode and the pooled share of its reading."""

    text: str
    confidence: float
    origin: str
    margin: float
    share: float
    candidates: int


def choose(scored: Sequence[Scored], heard_confidence: float, slack: float = DEFAULT_SLACK) -> Choice:
    """The most probable candidate per token, or the free decode (`scored[0]`, origin "heard").

    A free decode that names only site names letter for letter is one of the site's sentences: the most probable
    of it and the candidates wins. Otherwise a candidate must come within `slack` of it per token."""
    heard = scored[0]
    rivals = [s for s in scored[1:] if s.candidate.origin != "heard"]
    best = max(rivals, key=lambda s: s.score.mean, default=None)
    if best is None:
        return Choice(heard.candidate.text, heard_confidence, "heard", 0.0, 1.0, 1)
    margin = best.score.mean - heard.score.mean
    if heard.candidate.in_domain:
        # The site's sentences share the probability; the engine's confidence in the audio is the ceiling.
        share = _shares([heard, *rivals])
        winner = best if margin > 0 else heard
        confidence = heard_confidence * share[winner.candidate.meaning]
        return Choice(winner.candidate.text, round(confidence, 3), winner.candidate.origin, round(margin, 3),
                      round(share[winner.candidate.meaning], 3), len(scored))
    if margin < -slack:
        return Choice(heard.candidate.text, heard_confidence, "heard", round(margin, 3), 1.0, len(scored))
    # The free decode's own weight is in the fit; the share is among the readings the site could mean.
    share = _shares(rivals)
    fit = heard_confidence * math.exp(min(0.0, margin))
    return Choice(best.candidate.text, round(fit * share[best.candidate.meaning], 3), best.candidate.origin,
                  round(margin, 3), round(share[best.candidate.meaning], 3), len(scored))


def _shares(scored: Sequence[Scored]) -> dict[tuple[str, ...], float]:
    """Each reading's share of the probability: per-token scores scaled to the typical length (so that a short
    sentence is not favoured for having fewer tokens to lose on), summed over the sentences that read alike."""
    length = sum(s.score.tokens for s in scored) / len(scored)
    logs = [s.score.mean * length for s in scored]
    top = max(logs)
    weights: dict[tuple[str, ...], float] = {}
    for s, value in zip(scored, logs, strict=True):
        weights[s.candidate.meaning] = weights.get(s.candidate.meaning, 0.0) + math.exp(value - top)
    total = sum(weights.values())
    return {meaning: w / total for meaning, w in weights.items()}


class ClosedDomain:
    """One site's and language's closed domain: its candidate generator and how candidates are chosen. Fulfils
    `speech.engine.Rescoring`."""

    def __init__(self, generator: CandidateGenerator, slack: float = DEFAULT_SLACK,
                 max_candidates: int = MAX_CANDIDATES) -> None:
        self.generator = generator
        self.slack = slack
        self.max_candidates = max_candidates
        # No prompt: the free decode, made under the site prompt, stays far ahead of every candidate scored under it
        # (its words are primed), and the prompt's tokens would be decoded again for every candidate.
        self.prompt = ""

    def decode(self, scorer: SentenceScorer, speech: Pcm, free: EngineResult) -> EngineResult:
        """The free decode, or the candidate that replaces it (same language; its confidence as in `choose`).
        Blocking (a decoder pass per batch of candidates): called where the decode runs, in a worker thread."""
        if not free.text.strip():
            return free
        started = time.perf_counter()
        language = free.language or self.generator.language
        heard = zhconv.convert(free.text, "zh-cn") if language == "zh" else free.text
        candidates = self.generator.candidates(heard, limit=self.max_candidates)
        if len(candidates) < 2:
            return free
        scores = scorer.score(speech, language, [c.text for c in candidates], self.prompt)
        choice = choose([Scored(c, s) for c, s in zip(candidates, scores, strict=True)], free.confidence,
                        self.slack)
        log.info("speech.closed-domain", heard=free.text, chosen=choice.text, origin=choice.origin,
                 margin=choice.margin, share=choice.share, confidence=(free.confidence, choice.confidence),
                 candidates=choice.candidates, elapsed_s=round(time.perf_counter() - started, 3))
        if choice.origin == "heard":
            return free
        return EngineResult(choice.text, choice.confidence, (), language)
