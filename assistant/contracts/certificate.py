"""The certificate a site's contracts are signed with: a PKCS#12 file from the configuration (one a CA issued to the
company, the real case), or for the demo a self-signed one made for the company on first use and kept under
var/contracts (the key file mode 600, the certificate beside it as PEM for validators: `--trust <site>.crt`).

The passphrase is a `SecretStr` that is only unwrapped to open the file; it is never logged or put in an error."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pydantic import SecretStr

from assistant.world.schema import Company

VALID_DAYS = 730  # the demo certificate: two years
RENEW_BEFORE = dt.timedelta(days=30)


class CertificateError(RuntimeError):
    """The signing certificate cannot be used; the message names the file, never the passphrase."""


@dataclass(frozen=True)
class SigningKey:
    """A PKCS#12 archive's bytes and what opens it."""

    pkcs12: bytes
    passphrase: SecretStr | None
    certificate_pem: bytes  # the signer's certificate, for validators and the demo's trust


def _safe_name(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", site) or "site"


def load_pkcs12(path: Path, passphrase: SecretStr | None) -> SigningKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"contract certificate {path}: cannot be read ({exc.strerror})") from None
    secret = passphrase.get_secret_value().encode() if passphrase is not None else None
    try:
        _key, cert, _chain = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError):  # the library's message may quote what it was given: keep our own
        raise CertificateError(f"contract certificate {path}: not a PKCS#12 file, or a wrong passphrase "
                               "(FRONTLINE_CONTRACTS__PASSPHRASE)") from None
    if cert is None:
        raise CertificateError(f"contract certificate {path}: holds no certificate")
    return SigningKey(data, passphrase, cert.public_bytes(serialization.Encoding.PEM))


def demo_paths(folder: Path, site: str) -> tuple[Path, Path]:
    """The demo PKCS#12 and its certificate (PEM) for a site's company."""
    name = _safe_name(site)
    return folder / f"{name}.p12", folder / f"{name}.crt"


def demo_certificate(folder: Path, company: Company, now: dt.datetime | None = None) -> SigningKey:
    """The company's self-signed demo certificate under `folder`, made now when missing, expiring, or issued to
    another name (CN = the company's name, O = the company, C = CN).

    Several app processes may start at once on one var/: the key file is the one truth, put in place with a hard link
    that fails when another process got there first (that one's key is then used), and the certificate file is
    written from it, so every process signs with the key the certificate file names."""
    now = now or dt.datetime.now(dt.UTC)
    p12_path, crt_path = demo_paths(folder, company.site)
    stale = p12_path.is_file()
    if stale:
        found = load_pkcs12(p12_path, None)
        if _still_good(found, company, now):
            return _with_certificate_file(found, crt_path)
    folder.mkdir(parents=True, exist_ok=True)
    data = _self_signed(company, now)
    # The key first, private from its first byte (mode 600), then put in place in one step.
    temporary = folder / f".{p12_path.name}.{uuid.uuid4().hex}.tmp"  # never one another writer uses
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    try:
        if stale:  # expiring or renamed: replaced, unless another process has just done so
            if not _still_good(load_pkcs12(p12_path, None), company, now):
                os.replace(temporary, p12_path)
        else:
            with contextlib.suppress(FileExistsError):  # another process made it first: its key is the one
                os.link(temporary, p12_path)
    finally:
        temporary.unlink(missing_ok=True)
    return _with_certificate_file(load_pkcs12(p12_path, None), crt_path)


def _still_good(found: SigningKey, company: Company, now: dt.datetime) -> bool:
    cert = x509.load_pem_x509_certificate(found.certificate_pem)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return bool(names) and names[0].value == company.name and cert.not_valid_after_utc - RENEW_BEFORE > now


def _with_certificate_file(found: SigningKey, crt_path: Path) -> SigningKey:
    """The certificate beside the key, written (in one step) when missing or not the key's."""
    if not crt_path.is_file() or crt_path.read_bytes() != found.certificate_pem:
        temporary = crt_path.with_name(f".{crt_path.name}.{uuid.uuid4().hex}.tmp")
        temporary.write_bytes(found.certificate_pem)
        os.replace(temporary, crt_path)
    return found


def _self_signed(company: Company, now: dt.datetime) -> bytes:
    """A new key and a self-signed certificate for it, as an unencrypted PKCS#12 (kept with mode 600)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, company.name),
                         x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Frontline demo (self-signed)"),
                         x509.NameAttribute(NameOID.COMMON_NAME, company.name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            # digital signature and non-repudiation (content commitment): what a document signer's key is for
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(company.site.encode(), key, cert, None,
                                                 serialization.NoEncryption())
