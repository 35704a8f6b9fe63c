"""HTTPS for the LAN: browsers give the microphone only to secure pages (an https:// address, or this machine's own
http://127.0.0.1), so a headset or a phone opening the headset view from across the shop floor needs HTTPS.

The certificate and key come from the configuration (`FRONTLINE_TLS_CERT`, `FRONTLINE_TLS_KEY`: one a site's own CA
issued, the best choice: no warning on any device that trusts that CA) or, with `FRONTLINE_HTTPS=true` and none
configured, a self-signed one generated for this box on first run and kept under var/tls (each browser asks once to
accept it). The generated one names the box as devices reach it: localhost, its host name (and `<name>.local` for
mDNS), its LAN addresses and any `FRONTLINE_TLS_NAMES`; it is made again when the box has an address it does not
name (moved to another network) or when it is about to expire. No network is needed for any of it."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_NAME, KEY_NAME = "cert.pem", "key.pem"
VALID_DAYS = 825  # the longest a TLS server certificate may live for Apple's devices
RENEW_BEFORE = dt.timedelta(days=30)
Name = ipaddress.IPv4Address | ipaddress.IPv6Address | str


def lan_addresses() -> list[str]:
    """This box's IPv4 addresses as other devices on the LAN reach it (no loopback), best guess first. Offline:
    connecting a UDP socket sends nothing, it only asks the kernel which interface a route would use."""
    found: list[str] = []
    for probe in ("10.255.255.255", "192.168.255.255", "172.31.255.255"):
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            found.append(udp.getsockname()[0])
    with contextlib.suppress(OSError):
        found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    usable = [a for a in found if not (ipaddress.ip_address(a).is_loopback or ipaddress.ip_address(a).is_unspecified)]
    return list(dict.fromkeys(usable))


def box_names(extra: Iterable[str] = ()) -> list[Name]:
    """Every name a device may use for this box: localhost, the host name, LAN addresses, and the configured ones."""
    host = socket.gethostname()
    names: list[str] = ["localhost", "127.0.0.1", "::1", host, *([f"{host}.local"] if "." not in host else []),
                        *lan_addresses(), *extra]
    out: list[Name] = []
    for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
        try:
            out.append(ipaddress.ip_address(name))
        except ValueError:
            out.append(name.lower())
    return out


def _names_in(cert: x509.Certificate) -> set[Name]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    addresses: set[Name] = {a for a in san.get_values_for_type(x509.IPAddress)
                            if isinstance(a, ipaddress.IPv4Address | ipaddress.IPv6Address)}
    return addresses | {n.lower() for n in san.get_values_for_type(x509.DNSName)}


def _still_good(cert_path: Path, key_path: Path, names: list[Name], now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    der, info = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    same_key = cert.public_key().public_bytes(der, info) == key.public_key().public_bytes(der, info)
    return same_key and cert.not_valid_after_utc - RENEW_BEFORE > now and set(names) <= _names_in(cert)


def self_signed(folder: Path, names: list[Name] | None = None, now: dt.datetime | None = None) -> tuple[Path, Path]:
    """The box's certificate and key under `folder` (made now if missing, expiring, or not naming `names`)."""
    names = names if names is not None else box_names()
    now = now or dt.datetime.now(dt.UTC)
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    if _still_good(cert_path, key_path, names, now):
        return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64] or "frontline"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Frontline (self-signed, this box)")])
    alternative = [x509.IPAddress(n) if not isinstance(n, str) else x509.DNSName(n) for n in names]
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                         data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    # The key first, private from its first byte (mode 600), then the certificate beside it.
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path
