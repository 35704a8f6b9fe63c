"""Check a signed contract with pyHanko's validator: the seller's signature is intact (the bytes it covers are the
bytes signed), valid (by a trusted certificate: the demo certificate, or the configured CA's), and covers the whole
file (nothing appended after it). What `pyhanko sign validate --trust <cert> contract.pdf` checks, as values."""

from __future__ import annotations

import io
from dataclasses import dataclass

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class ContractCheck:
    signatures: int
    intact: bool
    valid: bool
    trusted: bool
    whole_file: bool  # the signature covers the entire file
    signer: str | None  # the signing certificate's subject, as text

    @property
    def ok(self) -> bool:
        return self.signatures == 1 and self.intact and self.valid and self.trusted and self.whole_file


def _certificate(data: bytes) -> x509.Certificate:
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def check_contract(pdf: bytes, trust_pem: bytes) -> ContractCheck:
    """Blocking: call it in a worker thread from async code."""
    reader = PdfFileReader(io.BytesIO(pdf))
    signatures = reader.embedded_signatures
    if not signatures:
        return ContractCheck(0, False, False, False, False, None)
    context = ValidationContext(trust_roots=[_certificate(trust_pem)], allow_fetching=False)
    status = validate_pdf_signature(signatures[-1], context)
    return ContractCheck(signatures=len(signatures), intact=status.intact, valid=status.valid,
                         trusted=status.trusted, whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                         signer=status.signing_cert.subject.human_friendly if status.signing_cert else None)
