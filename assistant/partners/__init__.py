"""Partner push: signed webhooks for document events (a sales order confirmed, a transfer done, a contract
signed) to configured partners, from an outbox, retried with backoff, once per event id.

    service = PartnerService(engine, ledger, settings.partners, httpx.AsyncClient())
    await service.start()   # in the app's lifespan; `await service.stop()` on the way out
    service.poke()          # after a confirmation: consume and send now

A receiver checks a request with `verify_signature(secret, raw_body, timestamp_header, signature_header)`; see
docs/partners.md."""

from assistant.partners.config import EventType, Partner, PartnerRules
from assistant.partners.consumer import PartnerConsumer, body_of
from assistant.partners.models import DeliveryStatus, PartnerDelivery, PartnerEvent, PartnersBase
from assistant.partners.service import PartnerService, PassReport
from assistant.partners.signing import EVENT_ID, SIGNATURE, TIMESTAMP, signature, signed_headers, verify_signature
from assistant.partners.store import Claimed, PartnerStore
from assistant.partners.views import Delivery

__all__ = [
    "EVENT_ID", "SIGNATURE", "TIMESTAMP", "Claimed", "Delivery", "DeliveryStatus", "EventType", "Partner",
    "PartnerConsumer", "PartnerDelivery", "PartnerEvent", "PartnerRules", "PartnerService", "PartnerStore",
    "PartnersBase", "PassReport", "body_of", "signature", "signed_headers", "verify_signature",
]
