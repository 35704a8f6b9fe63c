"""Contract fixtures: the small steel world, one demo certificate for the session, one signed contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.contracts.build import build_contract
from assistant.contracts.certificate import SigningKey, demo_certificate
from assistant.contracts.fonts import FontFile, find_font
from assistant.contracts.model import Contract
from assistant.contracts.render import RenderedContract, render_contract
from assistant.contracts.seal import seal_png
from assistant.contracts.signing import sign_contract
from assistant.contracts.template import ClauseTemplate
from assistant.world.schema import World
from tests.contracts.worlds import sale, steel_world


@pytest.fixture(scope="session")
def steel() -> World:
    return steel_world()


@pytest.fixture(scope="session")
def font() -> FontFile:
    return find_font()


@pytest.fixture(scope="session")
def demo_key(steel: World, tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return demo_certificate(tmp_path_factory.mktemp("certs"), steel.companies[0])


@dataclass(frozen=True)
class Made:
    contract: Contract
    rendered: RenderedContract
    signed: bytes


@pytest.fixture(scope="session")
def made(steel: World, font: FontFile, demo_key: SigningKey) -> Made:
    contract = build_contract(steel, sale(), dt.date(2026, 11, 30))
    rendered = render_contract(contract, ClauseTemplate.load().render(contract), font)
    signed = sign_contract(rendered.pdf, rendered.seal, seal_png(contract.seller.name, font), demo_key,
                           signer_name=contract.seller.name, location=contract.sign_place)
    return Made(contract, rendered, signed)


def pdf_text(pdf: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
