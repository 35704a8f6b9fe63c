"""Alembic environment and versions for the ledger (run through `assistant.ledger.migrate`)."""
