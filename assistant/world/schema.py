"""Typed master data: the shape of a world file (sites, items, units, people, devices, AGVs, maps)."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unit(_Frozen):
    """A unit of measure. `base` + `factor` convert to the base unit; `per_item` units (boxes)
    take their factor from the item (`Item.box_size`)."""

    code: str
    names: tuple[str, ...]
    base: str | None = None
    factor: Decimal | None = None
    per_item: bool = False
    # The one site that counts in this unit (吨 at the steel trader): speech listens for it there only, so "ton"
    # is not heard in "to" elsewhere. None: any site. Amounts in it are read everywhere.
    site: str | None = None


class LocationKind(StrEnum):
    rack = "rack"
    line = "line"
    qc = "qc"
    dock = "dock"
    shelf = "shelf"
    store = "store"


class Location(_Frozen):
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: LocationKind
    node: str | None = None  # map node for AGV orders and walking guidance

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def display_name(self, lang: str) -> str:
        """The place as a reader of `lang` names it. Locations have no English name field: in English the first
        ASCII alias that reads as words ("assembly line B"), else the code printed on the label ("A-01"); short
        ASCII aliases such as "A01" are spellings for speech recognition, not names."""
        if lang != "en":
            return self.name
        return next((a for a in self.aliases if a.isascii() and " " in a), self.code)


class Site(_Frozen):
    code: str
    name: str
    name_en: str
    map: str | None = None
    locations: tuple[Location, ...]


class Item(_Frozen):
    code: str
    gtin: str
    name: str
    name_en: str
    aliases: tuple[str, ...] = ()
    unit: str  # base unit code
    box_size: int | None = None
    price_per: str | None = None  # unit code the price is quoted in
    price: Decimal | None = None  # tax included (a shop's shelf price)
    tax: str | None = None  # VAT rate code (books.tax_rates); None: the books' default rate
    # The size that tells apart items sharing a common name (螺纹钢 Φ12 / Φ16 / Φ20): "Φ16". People add it to the
    # common name ("16的螺纹钢", "螺纹钢Φ16") or give it as the answer to "which one?".
    spec: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.name_en, *self.aliases)

    @property
    def spec_size(self) -> Decimal | None:
        """The number of the spec ("Φ16" → 16), None without one."""
        digits = re.search(r"\d+(?:\.\d+)?", self.spec or "")
        return Decimal(digits.group()) if digits else None


class StockLine(_Frozen):
    site: str
    location: str
    item: str
    quantity: Decimal
    unit_cost: Decimal | None = Field(default=None, ge=0)  # per base unit, tax excluded: the moving average's start


class SafetyStock(_Frozen):
    site: str
    item: str
    minimum: Decimal


ChatPlatform = Literal["wecom", "dingtalk"]


class Contact(_Frozen):
    """A customer's person: who signs and receives goods, and who may order in a chat (their WeCom / DingTalk id)."""

    name: str
    phone: str | None = None
    wecom_user: str | None = None
    dingtalk_user: str | None = None

    def chat_user(self, platform: ChatPlatform) -> str | None:
        return self.wecom_user if platform == "wecom" else self.dingtalk_user


class Customer(_Frozen):
    code: str
    name: str
    phone: str | None = None
    aliases: tuple[str, ...] = ()
    site: str | None = None  # the site that sells to them; None: any site's (a shop's walk-ins and regulars)
    company: str | None = None  # full registered name, for contracts (宏达建工 → 佛山市宏达建工有限公司)
    tax_id: str | None = None  # 统一社会信用代码
    address: str | None = None  # where goods are delivered unless the order says otherwise
    credit_limit: Decimal | None = Field(default=None, ge=0)  # CNY, VAT included; None: sold without a credit check
    contacts: tuple[Contact, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def contact_for_chat(self, platform: ChatPlatform, user_id: str) -> Contact | None:
        return next((c for c in self.contacts if user_id and c.chat_user(platform) == user_id), None)


class Company(_Frozen):
    """The seller named on a site's contracts (the trader's own company details)."""

    site: str
    name: str  # 佛山市XX钢铁贸易有限公司
    name_en: str
    tax_id: str  # 统一社会信用代码
    address: str
    phone: str
    legal_representative: str
    bank: str  # 开户行
    account: str  # 账号
    contract_template: str | None = None  # its own clause template (relative to the world file); None: the shipped one


class Role(StrEnum):
    operator = "operator"
    supervisor = "supervisor"
    manager = "manager"
    clerk = "clerk"


class Worker(_Frozen):
    code: str
    name: str
    role: Role
    site: str
    devices: tuple[str, ...] = ()
    language: str = "zh"
    # Who the worker is in the chat platforms: the WeCom user id and the DingTalk staff id (None: not on it).
    wecom_user: str | None = None
    dingtalk_user: str | None = None

    def chat_user(self, platform: ChatPlatform) -> str | None:
        return self.wecom_user if platform == "wecom" else self.dingtalk_user


class Permission(StrEnum):
    """What a command needs: each is granted to roles by the world's policies, always at the worker's own site."""

    transfer = "transfer"
    sell = "sell"
    check_stock = "check_stock"
    call_agv = "call_agv"
    approve = "approve"
    review = "review"  # read the turns on record
    order = "order"  # a customer's contact in a chat: propose a sale to their own customer, nothing else


def _default_grants() -> dict[Role, tuple[Permission, ...]]:
    every = tuple(p for p in Permission if p is not Permission.order)
    return {Role.operator: (Permission.transfer, Permission.check_stock, Permission.call_agv),
            Role.clerk: (Permission.sell, Permission.check_stock),
            Role.supervisor: every, Role.manager: every}


class Policies(_Frozen):
    """Who may do what, as configuration: the permissions of each role (at its own site), and the transfer size
    above which a transfer by someone who may not approve waits for a supervisor's or manager's approval."""

    roles: dict[Role, tuple[Permission, ...]] = Field(default_factory=_default_grants)
    approval_above_per_line: Decimal | None = Decimal(100)  # base units on one line; None: no approval needed
    # What a customer's contact may do in a chat (always for their own customer, at the customer's site).
    contacts: tuple[Permission, ...] = (Permission.order,)

    def grants(self, role: Role, permission: Permission) -> bool:
        return permission in self.roles.get(role, ())

    def grants_contact(self, permission: Permission) -> bool:
        return permission in self.contacts


class AccountType(StrEnum):
    """The Chinese chart's classes (资产, 负债, 权益, 成本, 损益: revenue and expense)."""

    asset = "asset"
    liability = "liability"
    equity = "equity"
    cost = "cost"
    revenue = "revenue"
    expense = "expense"


class Account(_Frozen):
    code: str  # e.g. "1122", "22210102"
    name: str  # e.g. 应收账款, 应交税费—应交增值税(销项税额)
    name_en: str
    type: AccountType


class TaxRate(_Frozen):
    code: str  # e.g. "VAT13"
    rate: Decimal = Field(ge=0, lt=1)  # 0.13


class Postings(_Frozen):
    """Which account each side of a sale posts to."""

    receivable: str = "1122"
    revenue: str = "6001"
    output_vat: str = "22210102"
    cost_of_sales: str = "6401"
    inventory: str = "1405"


class Books(_Frozen):
    """Accounts, VAT rates and the posting accounts: the master data of the vouchers (业财一体化)."""

    accounts: tuple[Account, ...]
    tax_rates: tuple[TaxRate, ...]
    default_tax: str
    postings: Postings = Field(default_factory=Postings)
    variance_limit: Decimal = Field(default=Decimal("0.005"), ge=0)  # document vs voucher total, as a fraction

    def account(self, code: str) -> Account:
        return next(a for a in self.accounts if a.code == code)

    def rate(self, code: str | None) -> TaxRate:
        wanted = code or self.default_tax
        return next(t for t in self.tax_rates if t.code == wanted)

    def problems(self) -> list[str]:
        accounts = [a.code for a in self.accounts]
        rates = [t.code for t in self.tax_rates]
        found = [f"books: account {c} twice" for c in sorted({c for c in accounts if accounts.count(c) > 1})]
        found += [f"books: tax rate {c} twice" for c in sorted({c for c in rates if rates.count(c) > 1})]
        found += [f"books: postings name unknown account {code} ({side})"
                  for side, code in self.postings.model_dump().items() if code not in accounts]
        if self.default_tax not in rates:
            found.append(f"books: unknown default tax rate {self.default_tax}")
        return found


class DeviceKind(StrEnum):
    ar_headset = "ar_headset"
    tablet = "tablet"
    chat = "chat"


class Device(_Frozen):
    code: str
    kind: DeviceKind


class Agv(_Frozen):
    serial: str
    manufacturer: str
    site: str
    home: str
    payload_kg: Decimal


class SiteMap(_Frozen):
    code: str
    nodes: dict[str, tuple[float, float]]
    edges: tuple[tuple[str, str], ...]


class World(_Frozen):
    units: tuple[Unit, ...]
    sites: tuple[Site, ...]
    items: tuple[Item, ...]
    stock: tuple[StockLine, ...] = ()
    safety_stock: tuple[SafetyStock, ...] = ()
    customers: tuple[Customer, ...] = ()
    workers: tuple[Worker, ...] = ()
    devices: tuple[Device, ...] = ()
    agvs: tuple[Agv, ...] = ()
    maps: tuple[SiteMap, ...] = Field(default=())
    policies: Policies = Field(default_factory=Policies)
    books: Books | None = None  # None: confirmed sales post no vouchers
    companies: tuple[Company, ...] = ()  # a site with a company here can put its sales into contracts

    @model_validator(mode="after")
    def _references_resolve(self) -> World:
        """Refuse a world whose rows point at codes it does not define."""
        sites = {s.code: {loc.code for loc in s.locations} for s in self.sites}
        items = {i.code for i in self.items}
        units = {u.code for u in self.units}
        problems: list[str] = []
        for line in self.stock:
            if line.location not in sites.get(line.site, set()):
                problems.append(f"stock: unknown location {line.site}/{line.location}")
            if line.item not in items:
                problems.append(f"stock: unknown item {line.item}")
        for item in self.items:
            if item.unit not in units or (item.price_per and item.price_per not in units):
                problems.append(f"item {item.code}: unknown unit")
        devices = {d.code for d in self.devices}
        for worker in self.workers:
            if worker.site not in sites:
                problems.append(f"worker {worker.code}: unknown site {worker.site}")
            problems += [f"worker {worker.code}: unknown device {d}" for d in worker.devices if d not in devices]
        problems += [f"unit {u.code}: unknown site {u.site}" for u in self.units if u.site and u.site not in sites]
        problems += [f"customer {c.code}: unknown site {c.site}" for c in self.customers
                     if c.site is not None and c.site not in sites]
        problems += [f"company {c.name}: unknown site {c.site}" for c in self.companies if c.site not in sites]
        problems += _chat_clashes(self)
        if self.books is not None:
            problems += self.books.problems()
            rates = {t.code for t in self.books.tax_rates}
            problems += [f"item {i.code}: unknown tax rate {i.tax}" for i in self.items if i.tax and i.tax not in rates]
            problems += [f"stock: no unit cost for {s.site}/{s.location}/{s.item}" for s in self.stock
                         if s.unit_cost is None]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Lookups used everywhere; the world is small, so linear scans are fine.
    def site(self, code: str) -> Site:
        return next(s for s in self.sites if s.code == code)

    def item(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)

    def unit(self, code: str) -> Unit:
        return next(u for u in self.units if u.code == code)

    def location(self, code: str) -> tuple[Site, Location]:
        for site in self.sites:
            for loc in site.locations:
                if loc.code == code:
                    return site, loc
        raise KeyError(code)

    def worker_for_device(self, device: str) -> Worker | None:
        return next((w for w in self.workers if device in w.devices), None)

    def device(self, code: str) -> Device | None:
        return next((d for d in self.devices if d.code == code), None)

    def company(self, site: str) -> Company | None:
        return next((c for c in self.companies if c.site == site), None)

    def worker_for_chat(self, platform: ChatPlatform, user_id: str) -> Worker | None:
        """The worker a chat platform's user id belongs to (None: not registered)."""
        return next((w for w in self.workers if user_id and w.chat_user(platform) == user_id), None)

    def customer(self, code: str) -> Customer | None:
        return next((c for c in self.customers if c.code == code), None)

    def contact_for_chat(self, platform: ChatPlatform, user_id: str) -> tuple[Customer, Contact] | None:
        """The customer (and its contact person) a chat user id belongs to, None when no customer's contact."""
        for customer in self.customers:
            contact = customer.contact_for_chat(platform, user_id)
            if contact is not None:
                return customer, contact
        return None

    def chat_user(self, platform: ChatPlatform, user_id: str) -> Worker | tuple[Customer, Contact] | None:
        """Who writes in a chat: a worker, or a customer's contact (a worker wins: ids are unique anyway)."""
        return self.worker_for_chat(platform, user_id) or self.contact_for_chat(platform, user_id)


def _chat_clashes(world: World) -> list[str]:
    """A chat id names one person: a worker's and a contact's, or two contacts', must differ per platform."""
    problems: list[str] = []
    platforms: tuple[ChatPlatform, ...] = ("wecom", "dingtalk")
    for platform in platforms:
        ids = [w.chat_user(platform) for w in world.workers]
        ids += [c.chat_user(platform) for cu in world.customers for c in cu.contacts]
        taken = [i for i in ids if i]
        problems += [f"{platform} user {i} names two people" for i in sorted({i for i in taken if taken.count(i) > 1})]
    return problems
