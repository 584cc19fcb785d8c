"""Event handlers declared per event type: one registration yields both the routing keys a
consumer's queue is bound with and the dispatch, so the two cannot drift apart."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.events.catalogue import model_for
from shared.events.consumer import Consumer
from shared.events.envelope import Envelope
from shared.settings import ServiceSettings

TypedHandler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


class EventHandlers:
    def __init__(self) -> None:
        self._by_type: dict[str, TypedHandler] = {}

    def on(self, *types: str) -> Callable[[TypedHandler], TypedHandler]:
        """``@handlers.on("plans.plan.published", …)``: the handler gets (session, payload, envelope)."""
        def register(handler: TypedHandler) -> TypedHandler:
            for type_ in types:
                model_for(type_)  # an unknown type fails at import, not when nothing ever arrives
                if type_ in self._by_type:
                    raise ValueError(f"{type_} has a handler already")
                self._by_type[type_] = handler
            return handler
        return register

    @property
    def routing_keys(self) -> list[str]:
        return sorted(self._by_type)

    async def dispatch(self, session: AsyncSession, envelope: Envelope) -> None:
        handler = self._by_type.get(envelope.type)
        if handler is not None:  # a type bound once and since dropped: nothing to do
            await handler(session, envelope.payload(), envelope)

    def consumer(self, queue: str, db: Database, settings: ServiceSettings) -> Consumer:
        return Consumer(queue=queue, routing_keys=self.routing_keys, handler=self.dispatch,
                        sessionmaker=db.sessionmaker, amqp_url=settings.platform.amqp_url,
                        exchange=settings.platform.events_exchange)
