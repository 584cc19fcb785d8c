"""The event bus: typed contracts, a transactional outbox with its relay, and idempotent
consumers with retries and a dead-letter queue. See docs/events.md for the catalogue."""
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxRelay, record_event

__all__ = ["Envelope", "OutboxRelay", "record_event"]
