"""In-memory adapters of the store: a first-class store for zero-service use and for tests,
proven equal to the SQL ones by the same contract suite."""

from taskhub.adapters.memory.store import InMemoryStore
from taskhub.adapters.memory.tasks import InMemoryTaskRepository
from taskhub.adapters.memory.unit_of_work import InMemoryUnitOfWork
from taskhub.adapters.memory.users import InMemoryUserRepository

__all__ = [
    "InMemoryStore",
    "InMemoryTaskRepository",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
]
