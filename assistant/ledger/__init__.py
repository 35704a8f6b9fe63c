"""The inventory ledger: the system of record and the only code that changes stock.

Import the pieces from their modules (`assistant.ledger.service`, `.errors`, `.views`, ...); this package
does no work at import time."""
