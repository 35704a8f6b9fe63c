"""The worker pool's tunables (FRONTLINE_RECOGNITION__<FIELD>); where the pool is (its Redis URL and key prefix) is
the app's own setting, like the shared state's."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PoolSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Live utterances one worker holds at once: each costs a Whisper decode per caption and one per final, so a
    # worker on 2 cores keeps up with about two people speaking at once (bench/recognition_pool.py).
    sessions_per_worker: int = Field(default=2, ge=1)
    jobs_per_worker: int = Field(default=1, ge=1)  # one-shot recordings and photos at once, beside the sessions
    heartbeat_s: float = Field(default=1.0, gt=0)  # a worker says it is alive this often…
    heartbeat_ttl_s: float = Field(default=3.0, gt=0)  # …and is taken for dead this long after its last word
    # A chunk's answer (a caption, or the final's decode) taking longer than this: the utterance is given up. The
    # heartbeat catches a dead worker within `heartbeat_ttl_s`; this catches one alive but stuck.
    answer_timeout_s: float = Field(default=30.0, gt=0)
    open_timeout_s: float = Field(default=10.0, gt=0)  # no worker free to take an utterance within this: given up
    job_timeout_s: float = Field(default=60.0, gt=0)  # a recording's or photo's answer, queueing included
    # A job taken by a worker that stopped renewing it (died) for this long goes to another worker (XAUTOCLAIM).
    claim_idle_s: float = Field(default=5.0, gt=0)
    session_idle_s: float = Field(default=30.0, gt=0)  # a worker frees an utterance nobody fed for this long
    session_ttl_s: float = Field(default=120.0, gt=0)  # a session's streams outlive their last write by this
    drain_s: float = Field(default=20.0, ge=0)  # on SIGTERM: utterances and jobs in hand get this long to end
