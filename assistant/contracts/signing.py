"""Sign a contract PDF as PAdES (PAdES-B-B: ETSI.CAdES.detached, SHA-256) with pyHanko, in a new signature field
over the seller's signature block whose appearance is the company seal.

Blocking (key operations, hashing): call it in a worker thread (`asyncio.to_thread`). pyHanko's own `sign_pdf` runs
an event loop of its own, which a worker thread may do."""

from __future__ import annotations

import io

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle

from assistant.contracts.certificate import CertificateError, SigningKey
from assistant.contracts.render import SealBox

FIELD_NAME = "Seller"  # the seller's (甲方) signature field


def sign_contract(pdf: bytes, seal: SealBox, seal_png: bytes, key: SigningKey, *, signer_name: str,
                  location: str | None, reason: str = "购销合同 甲方签章") -> bytes:
    """The PDF with the seller's signature appended as an incremental update (the rendered bytes stay as they
    were, so the signature covers the whole file)."""
    passphrase = key.passphrase.get_secret_value().encode() if key.passphrase is not None else None
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(key.pkcs12, (), passphrase)
    except ValueError:
        raise CertificateError("contract certificate: cannot be opened (a wrong passphrase?)") from None
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location=location, name=signer_name)
    style = StaticStampStyle(
        background=PdfImage(Image.open(io.BytesIO(seal_png))), background_opacity=1.0, border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                                     y_align=layout.AxisAlignment.ALIGN_MID,
                                                     margins=layout.Margins(0, 0, 0, 0)))
    spec = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=seal.page, box=seal.box)
    pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=spec)
    out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    signed: bytes = out.getvalue()
    return signed
