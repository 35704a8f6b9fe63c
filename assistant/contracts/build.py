"""A confirmed sales order as a contract's values: the site's company as seller, the customer as buyer, one line per
item in the unit its price is quoted in, VAT taken out of each tax-included amount as the vouchers take it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from assistant.books.money import cents, split_vat
from assistant.contracts.amounts import in_capitals
from assistant.contracts.model import Contract, ContractLine, Party
from assistant.ledger.pricing import unit_factor
from assistant.ledger.views import Document
from assistant.world.schema import Company, Customer, Item, World

# The general VAT rate on goods, for a world without books (the books name each item's rate otherwise).
DEFAULT_VAT = Decimal("0.13")
_QTY = Decimal("0.001")


class NotContractable(ValueError):
    """The document cannot be put into a contract (not a priced sale, no company at its site); says why."""


def contract_number(document_id: str, site: str) -> str:
    """One contract per sales order, so the order's id makes the number unique without a counter of its own."""
    return f"HT-{site}-{document_id}"


def product_and_spec(item: Item) -> tuple[str, str]:
    """品名 and 规格 from the item's name: "螺纹钢 HRB400E Φ12" → ("螺纹钢", "HRB400E Φ12"); a name without a
    space has no specification ("—")."""
    product, _, spec = item.name.partition(" ")
    return product, spec.strip() or "—"


def seller_of(company: Company) -> Party:
    return Party(name=company.name, tax_id=company.tax_id, address=company.address, phone=company.phone,
                 bank=company.bank, account=company.account, legal_representative=company.legal_representative)


def buyer_of(customer: Customer | None, fallback_name: str) -> Party:
    if customer is None:
        return Party(name=fallback_name)
    contact = customer.contacts[0] if customer.contacts else None
    return Party(name=customer.company or customer.name, tax_id=customer.tax_id, address=customer.address,
                 phone=(contact.phone if contact and contact.phone else customer.phone),
                 contact=contact.name if contact else None)


def build_contract(world: World, document: Document, signed_on: dt.date) -> Contract:
    if document.type != "sales_order" or document.customer is None:
        raise NotContractable(f"{document.id} is not a sales order with a customer")
    company = world.company(document.site)
    if company is None:
        raise NotContractable(f"site {document.site} has no company in the world")
    customer = next((c for c in world.customers if c.code == document.customer.code), None)
    lines = _lines(world, document)
    net = sum((line.net for line in lines), Decimal(0))
    tax = sum((line.tax for line in lines), Decimal(0))
    total = net + tax
    buyer = buyer_of(customer, document.customer.name)
    return Contract(number=contract_number(document.id, document.site), document_id=document.id,
                    site=document.site, signed_on=signed_on, seller=seller_of(company), buyer=buyer,
                    lines=tuple(lines), net_total=net, tax_total=tax, total=total,
                    total_in_capitals=in_capitals(total),
                    # what the order agreed (a deadline and a place said, or the customer's address); else its date
                    delivery_date=document.delivery_date or document.date,
                    delivery_place=document.delivery_place or buyer.address, sign_place=company.address)


def _lines(world: World, document: Document) -> list[ContractLine]:
    """One line per item (the ledger keeps one line per location the goods were taken from)."""
    qty: dict[str, Decimal] = defaultdict(Decimal)
    amount: dict[str, Decimal] = defaultdict(Decimal)
    price: dict[str, tuple[Decimal, str]] = {}
    for line in document.lines:
        if line.line_total is None or line.unit_price is None or line.price_unit is None:
            raise NotContractable(f"{document.id}: {line.item} has no price")
        qty[line.item] += line.qty_base
        amount[line.item] += line.line_total
        price[line.item] = (line.unit_price, line.price_unit)
    if not qty:
        raise NotContractable(f"{document.id} has no lines")
    out: list[ContractLine] = []
    for code, qty_base in qty.items():
        item = world.item(code)
        unit_price, unit_code = price[code]
        factor = unit_factor(world, item, unit_code) or Decimal(1)
        rate = world.books.rate(item.tax).rate if world.books is not None else DEFAULT_VAT
        gross = cents(amount[code])
        net, tax = split_vat(gross, rate)
        product, spec = product_and_spec(item)
        out.append(ContractLine(product=product, spec=spec, unit=world.unit(unit_code).names[0],
                                quantity=(qty_base / factor).quantize(_QTY),
                                unit_price=unit_price, tax_rate=rate, amount=gross, net=net, tax=tax))
    return out
