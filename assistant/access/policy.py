"""Who may do what: a command's permission against the world's policies, at the worker's own site.

The policies are a small typed table in the world file (`policies:`), not a policy engine: four roles, five
permissions and one approval limit are read at a glance there, validated when the world loads, and need no
language of their own (Casbin and the like pay off with many tenants and rules, not here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from assistant.world.schema import Permission, Role, World

# The permission each command intent needs; answers (yes, no, a slot), small talk and help need none.
INTENT_PERMISSIONS: dict[str, Permission] = {
    "transfer_stock": Permission.transfer,
    "create_sales_order": Permission.sell,
    "check_stock": Permission.check_stock,
    "dispatch_agv": Permission.call_agv,
    "approve_transfer": Permission.approve,
    "reject_transfer": Permission.approve,
}
# What a customer's contact needs for a command: only ordering exists for them (for their own customer).
CONTACT_INTENT_PERMISSIONS: dict[str, Permission] = {"create_sales_order": Permission.order}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a command may not run: its code says which rule, the values name the people and places in words."""

    reason: Literal["role", "other-site", "no-worker", "contact"]
    permission: Permission
    role: Role | None = None
    site: str | None = None  # the device's own site
    other_site: str | None = None  # the site the command reaches into
    customer: str | None = None  # a contact's customer (reason "contact")


def check(world: World, worker: str | None, permission: Permission, reached_sites: Iterable[str] = ()
          ) -> Refusal | None:
    """None when the worker's role grants `permission` and the command stays at the worker's site."""
    person = next((w for w in world.workers if w.code == worker), None)
    if person is None:
        return Refusal("no-worker", permission)
    if not world.policies.grants(person.role, permission):
        return Refusal("role", permission, person.role, person.site)
    elsewhere = next((s for s in reached_sites if s != person.site), None)
    if elsewhere is not None:
        return Refusal("other-site", permission, person.role, person.site, elsewhere)
    return None


def check_contact(world: World, customer: str, permission: Permission, reached_sites: Iterable[str] = ()
                  ) -> Refusal | None:
    """None when a customer's contact may do this: the contacts' grants, at their customer's site only."""
    buyer = world.customer(customer)
    if buyer is None:
        return Refusal("no-worker", permission)
    if not world.policies.grants_contact(permission):
        return Refusal("contact", permission, site=buyer.site, customer=customer)
    elsewhere = next((s for s in reached_sites if s != buyer.site), None)
    if elsewhere is not None:
        return Refusal("other-site", permission, site=buyer.site, other_site=elsewhere, customer=customer)
    return None


def check_intent(world: World, worker: str | None, intent: str | None, reached_sites: Iterable[str] = (),
                 customer: str | None = None) -> Refusal | None:
    """The guard of a turn. A worker needs the intent's permission; a customer's contact (`customer`, no worker)
    needs the contacts' permission for it, and any other command is refused."""
    permission = INTENT_PERMISSIONS.get(intent or "")
    if permission is None:
        return None
    if worker is None and customer is not None:
        return check_contact(world, customer, CONTACT_INTENT_PERMISSIONS.get(intent or "", permission), reached_sites)
    return check(world, worker, permission, reached_sites)


def sells_to(world: World, site: str, customer: str) -> str | None:
    """None when `site` may sell to the customer; else the customer's own site (a trader's customer buys from that
    trader only; a customer without a site, a shop's, from any)."""
    buyer = world.customer(customer)
    if buyer is None or buyer.site is None or buyer.site == site:
        return None
    return buyer.site



def may_approve(world: World, worker: str | None) -> bool:
    person = next((w for w in world.workers if w.code == worker), None)
    return person is not None and world.policies.grants(person.role, Permission.approve)
