"""News to the devices that wait for it, said in each device's worker's language and pushed over the sockets: the
fleet's events (codes and values), and transfers waiting for approval or decided."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from assistant.catalogue import both
from assistant.dialogue.approvals import ApprovalNotice, Notify
from assistant.dialogue.progress import notice
from assistant.fleet import EventSink, FleetEvent
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.service import Ledger
from assistant.world.schema import World
from server.push import DevicePush
from server.schemas.sockets import NoticeOut


def fleet_listener(world: World, ledger: Ledger, push: DevicePush, *, own_sockets_only: bool = False) -> EventSink:
    """`own_sockets_only`: for events the dispatcher emitted in another process, which told the chats and its own
    sockets already; this process adds the devices whose sockets it holds."""

    async def on_event(event: FleetEvent) -> None:
        requester = site = None
        if event.doc_id:
            try:
                document = await asyncio.to_thread(ledger.document, event.doc_id)
                requester, site = document.device, document.site
            except DocumentNotFound:
                return
        said = notice(world, event, requester, site)
        if said is None:
            return
        # The event holds codes; each device gets the words in its worker's language (both kept for a client
        # that shows either).
        text_zh, text_en = said.text(world, "zh"), said.text(world, "en")
        for device in said.devices:
            if own_sockets_only and not push.connected(device):
                continue
            worker = world.worker_for_device(device)
            english = worker is not None and worker.language == "en"
            await push.push(device, NoticeOut(event=said.kind, doc_id=said.doc_id,
                                              text=text_en if english else text_zh, text_zh=text_zh,
                                              text_en=text_en, agv=event))
    return on_event


def approval_notifier(world: World, push: DevicePush) -> Notify:
    async def tell(said: ApprovalNotice) -> None:
        text_zh, text_en = said.text(world, "zh"), said.text(world, "en")
        for device in said.devices:
            worker = world.worker_for_device(device)
            english = worker is not None and worker.language == "en"
            await push.push(device, NoticeOut(event=said.kind, doc_id=said.document.id,
                                              text=text_en if english else text_zh, text_zh=text_zh,
                                              text_en=text_en))
    return tell


ContractNumber = Callable[[str], Awaitable[str | None]]  # a document's signed contract number, if it has one


def contract_notifier(world: World, ledger: Ledger, push: DevicePush, number_of: ContractNumber
                      ) -> Callable[[str], Coroutine[Any, Any, None]]:
    """A sale's contract was signed: the device that confirmed the sale is told (a chat gets the PDF itself through
    its relay; a tablet shows a download link)."""

    async def tell(document_id: str) -> None:
        try:
            document = await asyncio.to_thread(ledger.document, document_id)
        except DocumentNotFound:
            return
        number = await number_of(document_id)
        if number is None or not document.device:
            return
        text_zh, text_en = both("notice-contract-signed", doc=document_id, number=number)
        worker = world.worker_for_device(document.device)
        english = worker is not None and worker.language == "en"
        await push.push(document.device, NoticeOut(event="contract-signed", doc_id=document_id,
                                                   text=text_en if english else text_zh, text_zh=text_zh,
                                                   text_en=text_en))
    return tell
