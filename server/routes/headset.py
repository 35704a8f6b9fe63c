"""WebSocket /ws/headset: vosk-server-style audio streaming for AR headsets.

Client → server: a text frame {"config": {"sample_rate": 16000, "language": "zh"}} (optional, once or before an
utterance), binary frames of 16-bit mono PCM, and {"eof": 1} at the end of an utterance (push-to-talk release;
the server also ends an utterance by itself when it hears the speaker stop). Server → client, as vosk-server
answers: every audio frame gets one message, {"partial": …} (the caption so far, maybe unchanged) or, when the
utterance ended, {"text": …} the final transcript; {"eof": 1} gets the final {"text": …} too. The assistant's
answer follows the final as {"reply": …, "turn": …}. One connection carries any number of utterances, so an
unchanged vosk-server client works against it (token aside). This module only turns frames into calls and results
into messages.

Beyond vosk-server, for the headset view (`/headset`): a text frame {"action": "confirm" | "cancel", "draft": …} is a
tapped button, answered as a spoken turn is ({"reply", "turn"}; `draft` binds a confirm to the read-back shown, as
the tablet's tap does); an {"eof": 1} that ends only what trailed an utterance the server already ended (push-to-talk
released after the speaker's pause was heard) gets the empty {"text": ""} and starts no turn; the server pushes AGV
news ({"event", …}) and, while an AGV works on a transfer this device asked for, where it is ({"vehicle": …},
`server.follow`).

With recognition in worker processes (FRONTLINE_RECOGNITION_URL), an utterance whose worker was lost mid-way is
answered {"error": {"code": "stt-worker-lost", ...}} ("please say it again") in place of that frame's answer;
the rest of that utterance gets empty captions until the release (at most `LOST_TAIL_S` of audio), and the
connection goes on: the next utterance is heard by another worker."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from assistant.pipeline import TurnContext, TurnError, TurnResult
from assistant.pipeline.audio import run_transcript, transcript_input
from assistant.pipeline.record import RawInput
from server.follow import follow_vehicles
from server.render.errors import error_out, turn_error_out
from server.render.headset import headset_reply
from server.render.turn import turn_out
from server.schemas.sockets import ActionIn, AnswerOut, PartialOut, TranscriptOut
from server.services import Services
from server.ws import CLOSE_POLICY, accept_device
from speech import AudioError, Final, Partial, RecognitionInterrupted, Transcript, UtteranceStream, wav_bytes

log = structlog.get_logger(__name__)
router = APIRouter()

MAX_FRAME_BYTES = 64 * 1024  # ~2 s of 16 kHz PCM: clients send 0.1-0.5 s chunks
MAX_UTTERANCE_S = 30.0
IDLE_TIMEOUT_S = 20.0  # a client that stops sending mid-utterance is let go
# After a recognition worker was lost mid-utterance, the rest of that utterance (until push-to-talk is released, at
# most this much audio for a hands-free client) is answered with empty captions: its tail is not taken for a new
# command.
LOST_TAIL_S = 2.0
CLOSE_UNSUPPORTED, CLOSE_TOO_BIG, CLOSE_TIMEOUT = 1003, 1009, 4408


class StreamConfig(BaseModel):
    sample_rate: int = Field(default=16000, ge=8000, le=48000)
    language: str | None = None


class _Protocol(Exception):
    """The client broke the protocol: say which rule (a catalogue code) and close the socket."""

    def __init__(self, code: str, close_code: int, **values: str | int | float) -> None:
        super().__init__(code)
        self.code, self.close_code, self.values = code, close_code, values


def _config(message: dict[str, Any]) -> StreamConfig:
    try:
        return StreamConfig.model_validate(message["config"])
    except (ValidationError, TypeError) as exc:
        raise _Protocol("ws-bad-config", CLOSE_UNSUPPORTED) from exc


class HeadsetConnection:
    """One headset: its stream session, its utterance budget, and the turn it is speaking."""

    def __init__(self, websocket: WebSocket, services: Services, ctx: TurnContext) -> None:
        self.ws, self.services, self.ctx = websocket, services, ctx
        self.config = StreamConfig()
        self.session: UtteranceStream | None = None
        self.utterance_bytes = 0
        self.discarding = 0  # bytes of a lost utterance's tail still to let pass unrecognised
        self.pcm = bytearray()  # the utterance as heard, for the record
        self.ended_by_server = False  # the server's VAD ended an utterance since the last eof

    def _session(self) -> UtteranceStream:
        if self.session is None:
            self.session = self.services.speech.open_stream(self.config.language, self.ctx.site,
                                                            self.config.sample_rate)
        return self.session

    async def run(self) -> None:
        while True:
            try:
                frame = await asyncio.wait_for(self.ws.receive(), timeout=IDLE_TIMEOUT_S if self.utterance_bytes
                                               else None)
            except TimeoutError as exc:
                raise _Protocol("ws-timeout", CLOSE_TIMEOUT) from exc
            if frame["type"] == "websocket.disconnect":
                return
            if frame.get("bytes") is not None:
                await self._audio(frame["bytes"])
            elif frame.get("text") is not None:
                await self._control(frame["text"])

    async def _audio(self, pcm: bytes) -> None:
        if len(pcm) > MAX_FRAME_BYTES:
            raise _Protocol("ws-frame-too-big", CLOSE_TOO_BIG, max_bytes=MAX_FRAME_BYTES)
        if len(pcm) % 2:
            raise _Protocol("ws-bad-audio", CLOSE_UNSUPPORTED)
        if self.discarding > 0:
            self.discarding -= len(pcm)
            await self.ws.send_json(PartialOut(partial="").model_dump())
            return
        self.utterance_bytes += len(pcm)
        self.pcm += pcm
        if self.utterance_bytes > MAX_UTTERANCE_S * self.config.sample_rate * 2:
            raise _Protocol("ws-utterance-too-long", CLOSE_TOO_BIG, max_s=round(MAX_UTTERANCE_S))
        try:
            result = await self._session().accept(pcm)
        except RecognitionInterrupted:
            await self._lost(tail=True)
            return
        if isinstance(result, Final):
            self.ended_by_server = True
            await self._answer(result.transcript)
        else:  # every audio frame is answered, as vosk-server answers it: its client waits for one message
            await self.ws.send_json(PartialOut(partial=result.text if isinstance(result, Partial) else "").model_dump())

    async def _control(self, text: str) -> None:
        try:
            message = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _Protocol("ws-bad-message", CLOSE_UNSUPPORTED) from exc
        if not isinstance(message, dict):
            raise _Protocol("ws-bad-message", CLOSE_UNSUPPORTED)
        if "config" in message:
            if self.utterance_bytes:
                raise _Protocol("ws-bad-config", CLOSE_POLICY)
            self.config, self.session = _config(message), None
        elif message.get("eof"):
            trailing, self.ended_by_server = self.ended_by_server, False
            if self.discarding > 0:  # the lost utterance's release: it was answered already
                self.discarding = 0
                await self._nothing()
            elif self.utterance_bytes:
                try:
                    transcript = await self._session().finish()
                except RecognitionInterrupted:
                    await self._lost(tail=False)
                    return
                if trailing and (transcript.no_speech or not transcript.text_for_nlu.strip()):
                    # Only the quiet after an utterance already answered: nothing was said, nothing to ask again.
                    self.utterance_bytes, self.pcm = 0, bytearray()
                    await self._nothing()
                else:
                    await self._answer(transcript)
            else:  # nothing to end: still one answer, an empty result (vosk-server's FinalResult)
                await self._nothing()
        elif "action" in message:
            try:
                tapped = ActionIn.model_validate(message)
            except ValidationError as exc:
                raise _Protocol("ws-bad-message", CLOSE_UNSUPPORTED) from exc
            await self._action(tapped)
        else:
            raise _Protocol("ws-bad-message", CLOSE_UNSUPPORTED)

    async def _lost(self, *, tail: bool) -> None:
        """The recognition worker of this utterance was lost: say it again; the connection goes on, and the next
        utterance is heard by another worker."""
        log.warning("headset-utterance-lost", device=self.ctx.device, seconds=round(
            self.utterance_bytes / (2 * self.config.sample_rate), 2))
        self.utterance_bytes, self.pcm, self.ended_by_server = 0, bytearray(), False
        self.discarding = round(LOST_TAIL_S * self.config.sample_rate) * 2 if tail else 0
        await self.ws.send_json(error_out(RecognitionInterrupted.code, self.config.language or self.ctx.language,
                                          stage="stt").model_dump(exclude_none=True))

    async def _nothing(self) -> None:
        await self.ws.send_json(TranscriptOut(text="", raw="", confidence=0.0,
                                              language=self.config.language or self.ctx.language).model_dump())

    async def _action(self, tapped: ActionIn) -> None:
        """A button of the last reply, tapped on the view: the turn the tablet's tap is, on the headset's record."""
        raw = RawInput("action", text=tapped.action)
        if not await self._may_take_turn(self.ctx.language):
            return
        try:
            result = await self.services.pipeline.run_action(self.ctx, tapped.action, draft=tapped.draft)
        except TurnError as error:
            await self.services.recorder.failed(self.ctx, "headset", raw, error)
            await self.ws.send_json(turn_error_out(error, self.ctx.language).model_dump(exclude_none=True))
            return
        await self._reply(raw, result)

    async def _may_take_turn(self, lang: str) -> bool:
        wait = await self.services.turn_rate.take(self.ctx.device)
        if wait is not None:
            await self.ws.send_json(error_out("too-many-turns", lang, values={"retry_after_s": wait})
                                    .model_dump(exclude_none=True))
            return False
        return True

    async def _reply(self, raw: RawInput, result: TurnResult) -> None:
        await self.services.recorder.answered(self.ctx, "headset", raw, result)
        turn = turn_out(result, self.ctx, self.services.master.world)
        await self.ws.send_json(AnswerOut(reply=headset_reply(turn), turn=turn).model_dump(mode="json", by_alias=True))

    async def _answer(self, transcript: Transcript) -> None:
        self.utterance_bytes = 0
        raw = RawInput("audio", data=wav_bytes(bytes(self.pcm), self.config.sample_rate), content_type="audio/wav")
        self.pcm = bytearray()
        await self.ws.send_json(TranscriptOut(text=transcript.corrected, raw=transcript.raw,
                                              confidence=round(transcript.confidence, 3),
                                              language=transcript.language).model_dump())
        if not await self._may_take_turn(transcript.language):  # the transcript was sent; the turn is not taken
            return
        try:
            result = await run_transcript(self.services.pipeline, self.ctx, transcript)
        except TurnError as error:
            await self.services.recorder.failed(self.ctx, "headset", raw, error, transcript_input(transcript))
            await self.ws.send_json(turn_error_out(error, transcript.language).model_dump(exclude_none=True))
            return
        await self._reply(raw, result)


@router.websocket("/ws/headset")
async def headset(websocket: WebSocket) -> None:
    accepted = await accept_device(websocket)
    if accepted is None:
        return
    services, ctx = accepted
    connection = HeadsetConnection(websocket, services, ctx)
    detach = services.push.attach(ctx.device, websocket.send_json)  # AGV progress reaches the glasses
    follower = asyncio.create_task(follow_vehicles(services, ctx, websocket.send_json), name="headset-follow")
    try:
        await connection.run()
    except _Protocol as problem:
        log.info("headset-closed", device=ctx.device, code=problem.code)
        await websocket.send_json(error_out(problem.code, ctx.language, values=problem.values)
                                  .model_dump(exclude_none=True))
        await websocket.close(problem.close_code)
    except AudioError as error:
        await websocket.send_json(error_out(error.code, ctx.language, stage="stt").model_dump(exclude_none=True))
        await websocket.close(CLOSE_UNSUPPORTED)
    except WebSocketDisconnect:
        log.info("headset-gone", device=ctx.device)
    finally:
        follower.cancel()
        detach()
        if connection.session is not None:
            await connection.session.close()
