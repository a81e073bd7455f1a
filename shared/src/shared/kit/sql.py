"""The PostgreSQL unit of work: one connection and transaction (Core statements); outbox and inbox in it."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.crypto import FieldCipher
from shared.db import Sessions
from shared.kit.unit_of_work import (
    AbstractUnitOfWork,
    DuplicateDelivery,
    Inbound,
    Message,
    ToMessage,
    envelope,
)
from shared.messaging.inbox import claim_many, record_processed
from shared.messaging.outbox import add_many_to_outbox


class SqlUnitOfWork(AbstractUnitOfWork):
    """A service's unit of work subclasses this, names its `SOURCE` and `TO_MESSAGE` (the service's
    `outgoing.to_message`) and builds its repositories in `bind(session)`."""

    SOURCE: ClassVar[str]
    TO_MESSAGE: ClassVar[ToMessage]
    session: AsyncConnection

    def __init__(
        self,
        sessions: Sessions,
        inbound: Inbound | None = None,
        *,
        cipher: FieldCipher | None = None,
    ) -> None:
        super().__init__(type(self).TO_MESSAGE)
        self._sessions = sessions
        self.source = type(self).SOURCE
        self.inbound = inbound
        # The service's field cipher, for repositories that store encrypted values (ID numbers).
        self.cipher = cipher

    @abc.abstractmethod
    def bind(self, session: AsyncConnection) -> None:
        """Build the repositories on this transaction's session (they register with `self.tracker`)."""

    async def _begin(self) -> None:
        self.session = self._sessions()
        await self.session.start()
        await self.session.begin()
        self.bind(self.session)
        inbound = self.inbound
        # Claimed first: an earlier delivery's row (or a concurrent one's, once it commits) makes this a
        # duplicate before the handler runs; a failing handler rolls the claim back with everything else.
        if inbound is not None and not await record_processed(
            self.session,
            inbound.consumer,
            inbound.event_id,
            event_type=inbound.event_type,
            topic=inbound.topic,
            partition=inbound.partition,
            offset=inbound.offset,
        ):
            raise DuplicateDelivery(inbound.event_id)

    def retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, DBAPIError) and exc.connection_invalidated

    async def claim(self, inbounds: Sequence[Inbound]) -> set[str]:
        return await claim_many(self.session, inbounds)

    async def _commit(self, messages: Sequence[tuple[Message, Inbound | None]]) -> None:
        staged = [
            (envelope(m, source=self.source, inbound=inbound), m.contract.TOPIC, m.key)
            for m, inbound in messages
        ]
        await add_many_to_outbox(self.session, staged)
        await self.session.commit()

    async def rollback(self) -> None:
        if self.session.sync_connection is not None and self.session.in_transaction():
            await self.session.rollback()

    async def _end(self) -> None:
        await self.session.close()
