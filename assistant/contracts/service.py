"""The contract service: an asyncio loop that claims confirmed sales orders of the sites with a company, renders each
contract, signs it and stores it with its `contract.signed` document event (the partner push then tells the
partners), waking every `poll_s`, when a retry falls due, and when poked.

Rendering and signing are CPU work (ReportLab, RSA, hashing): one contract at a time, in a worker thread. The chat
side asks for a document's contract with `signed_pdf(doc_id, wait_s=...)`, which waits for it when it is not signed
yet."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Engine

from assistant.contracts.build import NotContractable, build_contract
from assistant.contracts.certificate import SigningKey, demo_certificate, load_pkcs12
from assistant.contracts.config import ContractConfig
from assistant.contracts.fonts import FontFile, find_font, register_font
from assistant.contracts.render import render_contract
from assistant.contracts.seal import seal_png
from assistant.contracts.signing import sign_contract
from assistant.contracts.store import SIGNABLE, ContractStore
from assistant.contracts.template import ClauseTemplate
from assistant.contracts.views import Claim, ContractInfo, SignedContract
from assistant.ledger.errors import DocumentNotFound
from assistant.ledger.service import Ledger
from assistant.ledger.types import utcnow
from assistant.world.schema import Company, World

log = structlog.get_logger(__name__)
Clock = Callable[[], dt.datetime]
_WAIT_STEP_S = 0.25  # how often a waiting caller looks (another process may sign it)


class ContractService:
    def __init__(self, engine: Engine, ledger: Ledger, world: World, config: ContractConfig | None = None, *,
                 on_signed: Callable[[str], None] | None = None, world_dir: Path | None = None,
                 clock: Clock = utcnow) -> None:
        """Loads and checks the clause templates now (a bad one is refused before the app serves anything)."""
        self._ledger = ledger
        self._world = world
        self._config = config or ContractConfig()
        self._on_signed = on_signed
        self._clock = clock
        self._companies = {c.site: c for c in world.companies}
        default = ClauseTemplate.load(self._config.template)
        self._templates = {site: (ClauseTemplate.load(_resolve(Path(c.contract_template), world_dir))
                                  if c.contract_template else default) for site, c in self._companies.items()}
        self.store = ContractStore(engine, self._companies, lookback_h=self._config.lookback_h, clock=clock)
        self._keys: dict[str, SigningKey] = {}
        self._font: FontFile | None = None
        self._wake = asyncio.Event()
        self._signed_here = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: list[Claim] = []
        self._pass_lock = asyncio.Lock()

    # --- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="contracts")
        log.info("contracts.started", sites=sorted(self._companies),
                 certificate="configured" if self._config.pkcs12 else "demo")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        unfinished, self._in_flight = self._in_flight, []
        if unfinished:
            await asyncio.to_thread(self.store.release, unfinished)
        log.info("contracts.stopped", released=len(unfinished))

    def poke(self) -> None:
        """Run a pass now (from the event loop's thread)."""
        self._wake.set()

    def poke_threadsafe(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    # --- what others ask -------------------------------------------------------------------------------------

    async def info(self, document_id: str) -> ContractInfo | None:
        return await asyncio.to_thread(self.store.info, document_id)

    async def signed_pdf(self, document_id: str, wait_s: float = 0.0) -> SignedContract | None:
        """The document's signed contract; waits up to `wait_s` for one being made (None: not signed by then, or the
        document gets none: not a sale at a site with a company, cancelled, or given up)."""
        deadline = time.monotonic() + wait_s
        self.poke()
        while True:
            found = await asyncio.to_thread(self.store.signed_contract, document_id)
            left = deadline - time.monotonic()
            if found is not None or left <= 0:
                return found
            with contextlib.suppress(TimeoutError):
                async with self._signed_here:
                    await asyncio.wait_for(self._signed_here.wait(), min(left, _WAIT_STEP_S))

    # --- the work ----------------------------------------------------------------------------------------------

    async def run_once(self) -> list[str]:
        """Claim, make and store what is due; the documents whose contracts were signed in this pass."""
        async with self._pass_lock:
            claims = await asyncio.to_thread(self.store.claim, self._config.batch_size, self._config.lease_s)
            self._in_flight = list(claims)
            done: list[str] = []
            for claim in claims:
                if await self._make(claim):
                    done.append(claim.document_id)
                self._in_flight.remove(claim)
            if done:
                async with self._signed_here:
                    self._signed_here.notify_all()
            return done

    async def _make(self, claim: Claim) -> bool:
        started = time.monotonic()
        try:
            pdf = await asyncio.to_thread(self._signed_bytes, claim)
        except NotContractable as exc:
            await asyncio.to_thread(self.store.failed, claim, str(exc), None)
            log.warning("contracts.not_contractable", document=claim.document_id, reason=str(exc))
            return False
        except Exception as exc:  # the certificate, the font, a bug: tried again later, then given up with the reason
            attempts = claim.attempts + 1
            retry = None if attempts >= self._config.max_attempts else self._config.retry_delay(attempts)
            await asyncio.to_thread(self.store.failed, claim, f"{type(exc).__name__}: {exc}", retry)
            log.warning("contracts.failed", document=claim.document_id, attempt=attempts, error=type(exc).__name__,
                        detail=str(exc)[:200], retry_in_s=retry)
            return False
        sha256 = hashlib.sha256(pdf).hexdigest()
        stored = await asyncio.to_thread(self.store.signed, claim, pdf, sha256)
        if not stored:  # the lease ended and another process took it over: its contract is the one kept
            log.warning("contracts.claim_lost", document=claim.document_id)
            return False
        log.info("contracts.signed", document=claim.document_id, number=claim.number, sha256=sha256,
                 bytes=len(pdf), ms=round((time.monotonic() - started) * 1000))
        if self._on_signed is not None:
            self._on_signed(claim.document_id)
        return True

    def _signed_bytes(self, claim: Claim) -> bytes:
        """Render and sign one contract (blocking: a worker thread)."""
        try:
            document = self._ledger.document(claim.document_id)
        except DocumentNotFound as exc:
            raise NotContractable(f"{claim.document_id} no longer exists") from exc
        if document.status not in SIGNABLE:
            raise NotContractable(f"{claim.document_id} is {document.status}")
        company = self._companies.get(document.site)
        if company is None:
            raise NotContractable(f"site {document.site} has no company in the world")
        signed_on = self._clock().astimezone(ZoneInfo(self._config.timezone)).date()
        contract = build_contract(self._world, document, signed_on)
        font = self._font_file()
        rendered = render_contract(contract, self._templates[document.site].render(contract), font)
        return sign_contract(rendered.pdf, rendered.seal, seal_png(company.name, font), self._key(company),
                             signer_name=company.name, location=company.address)

    def _font_file(self) -> FontFile:
        if self._font is None:
            self._font = find_font(self._config.font)
        return self._font

    def _key(self, company: Company) -> SigningKey:
        key = self._keys.get(company.site)
        if key is None:
            if self._config.pkcs12 is not None:
                key = load_pkcs12(self._config.pkcs12, self._config.passphrase)
            else:
                key = demo_certificate(self._config.demo_dir, company)
            self._keys[company.site] = key
        return key

    def _warm_up(self) -> None:
        """The font loaded (a 17 MB collection: about a second) and the certificates opened (the demo ones made)
        before the first sale, so its contract is not the one that waits. A problem here is logged and met again,
        with its retries, when a contract is made."""
        try:
            register_font(self._font_file())
            for company in self._companies.values():
                self._key(company)
        except Exception as exc:
            log.warning("contracts.warm_up_failed", error=type(exc).__name__, detail=str(exc)[:200])

    async def _run(self) -> None:
        async with self._pass_lock:  # a pass started from outside meanwhile would open the same certificates
            await asyncio.to_thread(self._warm_up)
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away for a moment: try again on the next wake
                log.exception("contracts.pass_failed")
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self._config.poll_s
        with contextlib.suppress(Exception):
            due = await asyncio.to_thread(self.store.next_due)
            if due is not None:
                timeout = min(timeout, max(0.0, (due - self._clock()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)


def _resolve(path: Path, base: Path | None) -> Path:
    return path if path.is_absolute() or base is None else base / path
