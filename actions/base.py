"""The shape every action here shares: constructed with its dependencies, runs with tracker and dispatcher."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.deps import ActionDeps, TurnMeta


class FrontlineAction(Action):
    action_name: ClassVar[str]

    def __init__(self, deps: ActionDeps) -> None:
        self.deps = deps

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await self.act(dispatcher, tracker, TurnMeta.of(tracker))

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, meta: TurnMeta) -> list[EventType]:
        """The action itself, with the turn's context already read from the tracker."""


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    value: Any = next(tracker.get_latest_entity_values(entity), None)
    return None if value is None else str(value)
