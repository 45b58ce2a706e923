"""Ports: what the use cases need from the outside world, and the contract each adapter keeps.

Import them from here; the modules behind are only a way to keep each short.
"""

from taskhub.application.ports.activity import EXACT_UP_TO, MinuteCount, StatusCounts
from taskhub.application.ports.browsing import UserQuery
from taskhub.application.ports.claims import TaskClaims, claimable_at_once
from taskhub.application.ports.messaging import Clock, DispatchFailed, EventPublisher, TaskBus
from taskhub.application.ports.observing import NO_OBSERVER, TaskObserver
from taskhub.application.ports.presence import Sighting, WorkerRegistry
from taskhub.application.ports.repositories import (
    AdministratorRepository,
    ApiTokenRepository,
    Backlog,
    NumberedPage,
    TaskFilter,
    TaskRepository,
    UserRepository,
)
from taskhub.application.ports.retention import Cutoff
from taskhub.application.ports.security import PasswordHasher
from taskhub.application.ports.store import (
    ConcurrentUpdate,
    ConcurrentUserChange,
    StoreTimeout,
    StoreUnavailable,
    UnitOfWork,
    UnitOfWorkFactory,
    WriteWhileReading,
)
from taskhub.application.ports.subscriptions import EventSubscriber, Subscription

__all__ = [
    "EXACT_UP_TO",
    "NO_OBSERVER",
    "AdministratorRepository",
    "ApiTokenRepository",
    "Backlog",
    "Clock",
    "ConcurrentUpdate",
    "ConcurrentUserChange",
    "Cutoff",
    "DispatchFailed",
    "EventPublisher",
    "EventSubscriber",
    "MinuteCount",
    "NumberedPage",
    "PasswordHasher",
    "Sighting",
    "StatusCounts",
    "StoreTimeout",
    "StoreUnavailable",
    "Subscription",
    "TaskBus",
    "TaskClaims",
    "TaskFilter",
    "TaskObserver",
    "TaskRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UserQuery",
    "UserRepository",
    "WorkerRegistry",
    "WriteWhileReading",
    "claimable_at_once",
]
