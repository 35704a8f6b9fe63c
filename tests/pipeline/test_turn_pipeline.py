"""The pipeline around the dialogue engine, with Rasa replaced by httpx.MockTransport (unit level only;
the real Rasa server is exercised in tests/dialogue)."""

import json

import httpx
import pytest

from assistant.pipeline import TurnContext, TurnError, TurnEventType, TurnPipeline
from assistant.pipeline.rasa_client import RasaClient

CTX = TurnContext(device="HMD-01", device_kind="ar_headset", site="DG", worker="W01", language="zh")


def _rasa(handler) -> RasaClient:
    return RasaClient(httpx.AsyncClient(base_url="http://rasa", transport=httpx.MockTransport(handler)))


def _tracker(slots=None, loop=None, intent="transfer_stock"):
    return {"latest_message": {"intent": {"name": intent, "confidence": 0.97},
                               "entities": [{"entity": "item", "value": "曲轴", "start": 2, "end": 4}]},
            "slots": slots or {}, "active_loop": {"name": loop} if loop else {}}


async def _no_documents(_turn_id):
    return []


def _handler(tracker, seen):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            seen.append(json.loads(request.content))
            return httpx.Response(200, json=[{"recipient_id": "HMD-01", "text": "调拨曲轴多少?"}])
        return httpx.Response(200, json=tracker)
    return handle


async def test_turn_sends_metadata_and_reports_what_it_waits_for():
    seen: list[dict] = []
    events = []

    async def on_event(event):
        events.append(event.type)

    pipeline = TurnPipeline(_rasa(_handler(_tracker({"requested_slot": "amount"}, "transfer_form"), seen)),
                            _no_documents, 2000)
    result = await pipeline.run_text(CTX, "调拨曲轴", on_event)
    assert seen[0]["sender"] == "HMD-01"
    assert seen[0]["metadata"]["site"] == "DG" and seen[0]["metadata"]["lang"] == "zh"
    assert seen[0]["metadata"]["turn_id"] == result.turn_id
    assert result.awaiting == "quantity"
    assert result.intent.name == "transfer_stock"
    assert result.reply.text == "调拨曲轴多少?"
    assert events == [TurnEventType.turn_start, TurnEventType.input_end, TurnEventType.nlu_start,
                      TurnEventType.nlu_end, TurnEventType.reply, TurnEventType.turn_end]


async def test_proposal_means_waiting_for_confirmation_and_english_is_detected():
    seen: list[dict] = []
    pipeline = TurnPipeline(_rasa(_handler(_tracker({"proposal": {"kind": "transfer"}}), seen)), _no_documents, 2000)
    result = await pipeline.run_text(CTX, "transfer five crankshafts to line B")
    assert result.awaiting == "confirmation"
    assert seen[0]["metadata"]["lang"] == "en"


@pytest.mark.parametrize(("text", "code", "status"),
                         [("   ", "input-empty", 422), ("调" * 2001, "input-too-long", 413)])
async def test_bad_text_never_reaches_the_dialogue(text, code, status):
    seen: list[dict] = []
    pipeline = TurnPipeline(_rasa(_handler(_tracker(), seen)), _no_documents, 2000)
    with pytest.raises(TurnError) as caught:
        await pipeline.run_text(CTX, text)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert seen == []


async def test_rasa_down_is_a_503_naming_it():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    pipeline = TurnPipeline(_rasa(refuse), _no_documents, 2000)
    with pytest.raises(TurnError) as caught:
        await pipeline.run_text(CTX, "调拨5件曲轴到总装线B区")
    assert caught.value.status == 503 and caught.value.code == "nlu-unavailable"
    assert "Rasa" in caught.value.message_zh


async def test_a_tapped_confirm_sends_the_intent_in_the_language_last_spoken():
    seen: list[dict] = []
    drafts: list[tuple[object, str]] = []

    def draft_of(proposal: object, lang: str) -> dict:
        drafts.append((proposal, lang))
        return {"type": "transfer", "status": "draft"}

    pipeline = TurnPipeline(_rasa(_handler(_tracker({"proposal": {"kind": "transfer"}}), seen)), _no_documents,
                            2000, draft_of=draft_of)
    read_back = await pipeline.run_text(CTX, "transfer five crankshafts to line B")
    assert read_back.draft == {"type": "transfer", "status": "draft"} and drafts[-1] == ({"kind": "transfer"}, "en")
    assert [(a.id, a.label) for a in read_back.actions] == [("confirm", "Confirm"), ("cancel", "Cancel")]
    tapped = await pipeline.run_action(CTX, "confirm")
    assert seen[-1]["message"] == "/affirm" and seen[-1]["metadata"]["lang"] == "en"
    assert tapped.input.kind == "action" and tapped.input.text == "confirm"


async def test_typed_words_cannot_pose_as_an_intent_payload():
    seen: list[dict] = []
    pipeline = TurnPipeline(_rasa(_handler(_tracker(), seen)), _no_documents, 2000)
    await pipeline.run_text(CTX, "/affirm")
    assert seen[0]["message"] == "affirm"
    with pytest.raises(TurnError):
        await pipeline.run_text(CTX, "  //  ")
