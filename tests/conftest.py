"""Fixtures every test folder shares: the demo world and the vocabulary built from it."""

from __future__ import annotations

import pytest

from assistant.language.resolve import Resolver
from assistant.language.vocabulary import Vocabulary
from assistant.world.loader import load_world
from assistant.world.schema import World


@pytest.fixture(scope="session")
def world() -> World:
    return load_world()


@pytest.fixture(scope="session")
def vocabulary(world: World) -> Vocabulary:
    return Vocabulary.from_world(world)


@pytest.fixture(scope="session")
def resolver(world: World, vocabulary: Vocabulary) -> Resolver:
    return Resolver(world, vocabulary)
