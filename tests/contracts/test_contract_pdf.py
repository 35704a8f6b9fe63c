"""The contract's values, its PDF and its signature: what it says, that pyHanko's validator accepts it with the demo
certificate as the trust root, and that any change after signing is caught."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pydantic import SecretStr
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from assistant.contracts.build import NotContractable, build_contract
from assistant.contracts.certificate import CertificateError, SigningKey, demo_certificate, demo_paths, load_pkcs12
from assistant.contracts.fonts import FontMissing, find_font
from assistant.contracts.validate import check_contract
from assistant.world.schema import World
from tests.contracts.conftest import Made, pdf_text
from tests.contracts.worlds import BUYER, COMPANY, sale


def test_the_values_of_a_sale(steel: World) -> None:
    contract = build_contract(steel, sale(), dt.date(2026, 11, 30))
    assert contract.number == "HT-TS-SO-000001"
    assert (contract.seller.name, contract.buyer.name, contract.buyer.contact) == (COMPANY, BUYER, "周经理")
    first, second = contract.lines
    # one line per item, in tonnes: the two places Φ12 was taken from are one line
    assert (first.product, first.spec, first.unit, first.quantity, first.amount) == (
        "螺纹钢", "HRB400E Φ12", "吨", Decimal("20.000"), Decimal("77000.00"))
    assert second.quantity == Decimal("5.500") and second.tax_rate == Decimal("0.13")
    assert contract.net_total + contract.tax_total == contract.total == Decimal("98010.00")
    assert contract.tax_total == Decimal("8858.41") + Decimal("2417.08")  # 77000 and 21010 split as the vouchers do
    assert contract.total_in_capitals == "玖万捌仟零壹拾元整"
    assert (contract.delivery_date, contract.delivery_place) == (dt.date(2026, 12, 31), "佛山市禅城区季华路1号工地")


def test_only_a_sale_at_a_site_with_a_company(steel: World) -> None:
    with pytest.raises(NotContractable, match="no company"):
        build_contract(steel, sale(site="TX"), dt.date(2026, 11, 30))


def test_the_pdf_says_who_sells_what_for_how_much(made: Made) -> None:
    text = pdf_text(made.signed)
    for expected in ("购销合同", "HT-TS-SO-000001", COMPANY, BUYER, "91440604MA4TEST00Y", "中国工商银行佛山乐从支行",
                     "周经理", "螺纹钢", "HRB400E Φ12", "HRB400E Φ16", "含税单价", "3,850.00", "77,000.00",
                     "不含税金额", "86,734.51", "11,275.49", "价税合计", "98,010.00", "人民币玖万捌仟零壹拾元整",
                     "2026年12月31日", "佛山市禅城区季华路1号工地", "GB/T 1499.2", "第七条 争议解决", "甲方(盖章)"):
        assert expected in text, expected


def test_the_signature_validates_with_the_demo_certificate(made: Made, demo_key: SigningKey) -> None:
    check = check_contract(made.signed, demo_key.certificate_pem)
    assert check.ok, check
    assert f"Common Name: {COMPANY}" in (check.signer or "")
    # the rendered bytes are untouched: signing appended an incremental update
    assert made.signed.startswith(made.rendered.pdf)


def test_the_seal_is_on_the_sellers_signature_block(made: Made) -> None:
    reader_fields = IncrementalPdfFileWriter(io.BytesIO(made.signed)).root["/AcroForm"]["/Fields"]
    [field] = [f.get_object() for f in reader_fields]
    assert field["/FT"] == "/Sig" and field["/T"] == "Seller"
    box = [float(v) for v in field["/Rect"]]
    assert box == [float(v) for v in made.rendered.seal.box] and box[2] - box[0] > 100  # 40 mm across
    appearance = field["/AP"]["/N"].get_object()
    assert appearance["/Resources"]["/XObject"]  # the seal image is drawn in the visible field


def test_a_byte_changed_in_the_signed_part_fails(made: Made, demo_key: SigningKey) -> None:
    tampered = bytearray(made.signed)
    at = len(made.rendered.pdf) // 2  # inside the first revision, which the signature covers
    tampered[at] ^= 0x01
    check = check_contract(bytes(tampered), demo_key.certificate_pem)
    assert not check.intact and not check.ok


def test_content_added_after_signing_fails(made: Made, demo_key: SigningKey) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(made.signed))
    stamp = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 RG 100 700 200 50 re S Q"))
    writer.add_stream_to_page(0, stamp)
    out = io.BytesIO()
    writer.write(out)
    check = check_contract(out.getvalue(), demo_key.certificate_pem)
    assert check.intact and not check.whole_file and not check.ok  # the signed revision holds; the file does not


def test_another_certificate_is_not_trusted(made: Made, steel: World, tmp_path: Path) -> None:
    other = demo_certificate(tmp_path, steel.companies[0])
    check = check_contract(made.signed, other.certificate_pem)
    assert check.intact and not check.trusted and not check.ok


def test_an_unsigned_pdf_is_not_a_signed_contract(made: Made, demo_key: SigningKey) -> None:
    assert check_contract(made.rendered.pdf, demo_key.certificate_pem).signatures == 0


def test_the_demo_certificate_names_the_company_for_two_years(steel: World, tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    company = steel.companies[0]
    key = demo_certificate(tmp_path, company, now=now)
    cert = x509.load_pem_x509_certificate(key.certificate_pem)
    assert cert.subject.rfc4514_string().startswith(f"CN={COMPANY}")
    assert cert.not_valid_after_utc - now == dt.timedelta(days=730)
    p12, crt = demo_paths(tmp_path, company.site)
    assert p12.stat().st_mode & 0o777 == 0o600 and crt.read_bytes() == key.certificate_pem
    assert demo_certificate(tmp_path, company, now=now).certificate_pem == key.certificate_pem  # kept, not remade
    renamed = company.model_copy(update={"name": "佛山市另一家贸易有限公司"})
    assert demo_certificate(tmp_path, renamed, now=now).certificate_pem != key.certificate_pem


def test_a_configured_certificate_with_its_passphrase(steel: World, tmp_path: Path, made: Made) -> None:
    demo = demo_certificate(tmp_path / "demo", steel.companies[0])
    key, cert, _ = pkcs12.load_key_and_certificates(demo.pkcs12, None)
    assert key is not None and cert is not None
    path = tmp_path / "company.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"company", key, cert, None, serialization.BestAvailableEncryption(b"correct horse")))  # type: ignore[arg-type]
    loaded = load_pkcs12(path, SecretStr("correct horse"))
    assert loaded.certificate_pem == demo.certificate_pem
    with pytest.raises(CertificateError) as wrong:
        load_pkcs12(path, SecretStr("wrong battery"))
    assert "wrong battery" not in str(wrong.value) and str(path) in str(wrong.value)
    with pytest.raises(CertificateError, match="cannot be read"):
        load_pkcs12(tmp_path / "none.p12", None)


def test_a_missing_font_is_named(tmp_path: Path) -> None:
    with pytest.raises(FontMissing, match="FRONTLINE_CONTRACTS__FONT"):
        find_font(tmp_path / "none.ttf")


def test_the_command_line_check(made: Made, demo_key: SigningKey, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from server.cli import app

    (tmp_path / "c.pdf").write_bytes(made.signed)
    (tmp_path / "demo.crt").write_bytes(demo_key.certificate_pem)
    args = ["contracts", "validate", str(tmp_path / "c.pdf"), "--trust", str(tmp_path / "demo.crt")]
    good = CliRunner().invoke(app, args)
    assert good.exit_code == 0 and good.output.endswith("OK\n")
    (tmp_path / "c.pdf").write_bytes(made.signed[:2000] + b"x" + made.signed[2001:])
    bad = CliRunner().invoke(app, args)
    assert bad.exit_code == 1 and "NOT OK" in bad.output


def test_processes_starting_together_share_one_demo_key(steel: World, tmp_path: Path) -> None:
    """Two app processes on one var/ making the demo certificate at once both sign with the key the .crt names."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: demo_certificate(tmp_path, steel.companies[0]), range(4)))
    assert len({k.certificate_pem for k in made}) == 1 and len({k.pkcs12 for k in made}) == 1
    _, crt = demo_paths(tmp_path, steel.companies[0].site)
    assert crt.read_bytes() == made[0].certificate_pem
    assert not list(tmp_path.glob(".*.tmp"))
