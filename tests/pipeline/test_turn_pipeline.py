"""The pipeline around the dialogue engine, with Rasa replaced by httpx.MockTransport (unit level only;
the real Rasa server is exercised in tests/dialogue)."""

import asyncio
import json
from datetime import date

import httpx
import pytest

from assistant.language.reading import MessageReader
from assistant.pipeline import DialogueClient, TurnContext, TurnError, TurnEventType, TurnPipeline
from assistant.pipeline.audio import run_transcript
from assistant.pipeline.dialogue import SECRET_HEADER
from assistant.world.master_data import MasterData
from assistant.world.schema import World
from speech import Transcript

CTX = TurnContext(device="HMD-01", device_kind="ar_headset", site="DG", worker="W01", language="zh")
SECRET = "s" * 32


def _tracker(slots=None, loop=None):
    return {"slots": slots or {}, "active_loop": {"name": loop} if loop else {}}


async def _nothing_collected(_turn_id):
    return (), ()


class FakeRasa:
    """The Frontline channel of a Rasa server: parse answers an intent, the webhook answers messages + state."""

    def __init__(self, tracker, intent="transfer_stock", reply="调拨曲轴多少?", intents=None):
        self.tracker, self.intent, self.reply = tracker, intent, reply
        self.intents = intents or {}  # text → intent, where it differs from `intent`
        self.parsed: list[dict] = []
        self.sent: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers[SECRET_HEADER] == SECRET
        if request.method == "GET" and request.url.path.startswith("/webhooks/frontline/conversation/"):
            return httpx.Response(200, json={"events": 1, "state": self.tracker})
        body = json.loads(request.content)
        if request.url.path == "/webhooks/frontline/parse":
            self.parsed.append(body)
            intent = self.intents.get(body["text"], self.intent)
            return httpx.Response(200, json={"text": body["text"], "intent": {"name": intent, "confidence": 0.97},
                                             "intent_ranking": [], "entities": []})
        assert request.url.path == "/webhooks/frontline/webhook"
        self.sent.append(body)
        return httpx.Response(200, json={"messages": [{"recipient_id": "HMD-01", "text": self.reply}],
                                         "tracker": self.tracker})


def _pipeline(handler, world: World) -> TurnPipeline:
    client = DialogueClient(httpx.AsyncClient(base_url="http://rasa", transport=httpx.MockTransport(handler)), SECRET)
    return TurnPipeline(client, MessageReader(MasterData(world), today=lambda: date(2026, 1, 1)),
                        _nothing_collected, 2000)


async def test_turn_sends_metadata_and_the_one_reading_and_reports_what_it_waits_for(world):
    rasa = FakeRasa(_tracker({"requested_slot": "amount"}, "transfer_form"))
    events = []

    async def on_event(event):
        events.append(event.type)

    result = await _pipeline(rasa, world).run_text(CTX, "调拨曲轴到总装线B区", on_event)
    sent = rasa.sent[0]
    assert sent["sender"] == "HMD-01" and sent["message"] == "调拨曲轴到总装线B区"
    assert sent["metadata"]["site"] == "DG" and sent["metadata"]["lang"] == "zh"
    assert sent["metadata"]["turn_id"] == result.turn_id
    # The dialogue gets the app's reading as the message's entities, the reply shows the same as fields.
    entities = {e["entity"]: e["value"] for e in sent["parse_data"]["entities"]}
    assert entities == {"item": "CS-1001", "location": "LINE-B"}
    assert sent["parse_data"]["intent"]["name"] == "transfer_stock"
    assert {f.name: f.value for f in result.input.fields} == {"item": "CS-1001", "destination": "LINE-B"}
    assert [(e["entity"], e["value"]) for e in result.entities] == [("item", "CS-1001"), ("location", "LINE-B")]
    assert result.awaiting == "quantity"
    assert result.intent.name == "transfer_stock"
    assert result.reply.text == "调拨曲轴多少?"
    assert events == [TurnEventType.turn_start, TurnEventType.input_end, TurnEventType.nlu_start,
                      TurnEventType.nlu_end, TurnEventType.reply, TurnEventType.turn_end]


async def test_proposal_means_waiting_for_confirmation_and_english_is_detected(world):
    rasa = FakeRasa(_tracker({"proposal": {"kind": "transfer", "site": "DG", "item": "CS-1001", "qty_base": "5",
                                           "destination": "LINE-B"}}))
    result = await _pipeline(rasa, world).run_text(CTX, "transfer five crankshafts to line B")
    assert result.awaiting == "confirmation" and result.buttons == "confirm"
    assert result.draft is not None and result.draft.item == "CS-1001"
    assert rasa.sent[0]["metadata"]["lang"] == "en"


@pytest.mark.parametrize(("text", "code"), [("   ", "input-empty"), ("调" * 2001, "input-too-long")])
async def test_bad_text_never_reaches_the_dialogue(text, code, world):
    rasa = FakeRasa(_tracker())
    with pytest.raises(TurnError) as caught:
        await _pipeline(rasa, world).run_text(CTX, text)
    assert caught.value.code == code and caught.value.stage == "input"
    assert rasa.parsed == [] and rasa.sent == []


async def test_rasa_down_is_an_nlu_error_naming_it(world):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TurnError) as caught:
        await _pipeline(refuse, world).run_text(CTX, "调拨5件曲轴到总装线B区")
    assert caught.value.code == "nlu-unavailable" and caught.value.stage == "nlu"
    assert caught.value.values["service"] == "rasa"


async def test_a_tapped_confirm_sends_the_intent_in_the_language_last_spoken(world):
    rasa = FakeRasa(_tracker({"proposal": {"kind": "transfer", "site": "DG", "item": "CS-1001", "qty_base": "5",
                                           "destination": "LINE-B"}}))
    pipeline = _pipeline(rasa, world)
    read_back = await pipeline.run_text(CTX, "transfer five crankshafts to line B")
    assert read_back.buttons == "confirm"
    tapped = await pipeline.run_action(CTX, "confirm")
    assert rasa.sent[-1]["message"] == "/affirm" and rasa.sent[-1]["metadata"]["lang"] == "en"
    assert rasa.sent[-1]["parse_data"]["intent"] == {"name": "affirm", "confidence": 1.0}
    assert len(rasa.parsed) == 1  # a tap is not parsed: its intent is known
    assert tapped.input.kind == "action" and tapped.input.text == "confirm"


async def test_typed_words_cannot_pose_as_an_intent_payload(world):
    rasa = FakeRasa(_tracker())
    pipeline = _pipeline(rasa, world)
    await pipeline.run_text(CTX, "/affirm")
    assert rasa.sent[0]["message"] == "affirm"
    with pytest.raises(TurnError):
        await pipeline.run_text(CTX, "  //  ")


async def test_turns_of_one_device_run_one_at_a_time_in_order(world):
    """A second message waits for the first turn to finish (never dropped, never interleaved)."""
    inside = 0
    most = 0
    order: list[str] = []

    rasa = FakeRasa(_tracker())
    client = DialogueClient(httpx.AsyncClient(base_url="http://rasa", transport=httpx.MockTransport(rasa)), SECRET)
    original = client.exchange

    async def slow_exchange(sender, text, parse_data, metadata):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.05)
        order.append(text)
        inside -= 1
        return await original(sender, text, parse_data, metadata)

    client.exchange = slow_exchange  # type: ignore[method-assign]
    pipeline = TurnPipeline(client, MessageReader(MasterData(world), today=lambda: date(2026, 1, 1)),
                            _nothing_collected, 2000)
    other = TurnContext(device="HMD-02", device_kind="ar_headset", site="DG", worker="W02", language="zh")
    await asyncio.gather(pipeline.run_text(CTX, "一"), pipeline.run_text(CTX, "二"), pipeline.run_text(other, "三"))
    assert order.index("一") < order.index("二")
    assert most == 2  # the other device's turn ran beside them, never two of HMD-01's


def _heard(text: str, confidence: float, language: str = "en") -> Transcript:
    return Transcript(raw=text, corrected=text, language=language, confidence=confidence, engine="whisper",
                      duration_s=1.0)


@pytest.mark.parametrize(("text", "confidence", "language", "asked_again"), [
    ("Camshaft,", 0.38, "en", True),   # a lone word heard badly right after a read-back, not a yes or no: asked again
    ("确认", 0.5, "zh", False),         # a yes heard with Whisper's usual doubt about one short word: the answer
    ("yes", 0.9, "en", False),          # heard clearly: the dialogue takes it
    ("transfer five camshafts to line A", 0.45, "en", False),  # a whole command is judged as a command
])
async def test_a_lone_word_heard_badly_after_a_read_back_is_asked_again(world, text, confidence, language,
                                                                       asked_again):
    rasa = FakeRasa(_tracker({"proposal": {"kind": "transfer", "site": "DG", "item": "CS-1001", "qty_base": "5",
                                           "destination": "LINE-B"}}),
                    intents={"确认": "affirm", "yes": "affirm", "Camshaft,": "transfer_stock"})
    pipeline = _pipeline(rasa, world)
    await pipeline.run_text(CTX, "transfer five crankshafts to line B")
    sent = len(rasa.sent)
    turn = await run_transcript(pipeline, CTX, _heard(text, confidence, language))
    assert (len(rasa.sent) == sent) is asked_again
    if asked_again:
        assert turn.reply.text.startswith(("Sorry, I didn't catch that. Say 'yes'", "没听清。要执行"))
        assert turn.awaiting == "confirmation" and turn.buttons == "confirm"  # the read-back still stands


async def test_a_lone_word_without_a_pending_read_back_goes_to_the_dialogue(world):
    rasa = FakeRasa(_tracker())
    pipeline = _pipeline(rasa, world)
    await run_transcript(pipeline, CTX, _heard("Camshaft,", 0.38))
    assert len(rasa.sent) == 1
