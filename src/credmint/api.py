"""What an operation handler receives and how handlers are registered."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from credmint.httpreq import HttpRequest
from credmint.principal import Principal

if TYPE_CHECKING:
    from credmint.runtime import Runtime


@dataclass
class Call:
    """One authenticated call of one operation."""

    service: str
    operation: str
    params: dict[str, Any]
    principal: Principal | None
    request: HttpRequest
    now: datetime
    region: str
    request_id: str
    runtime: Runtime
    #: Extra response headers an operation wants sent.
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Mapping[str, Any] | None]


#: Decides from a call's parameters whether it will do store or network I/O.
BlockingPredicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Operation:
    fn: Handler
    #: Touches the store (or the network): run it on a worker thread, not the event loop.
    #: A predicate decides per call, for operations whose usual path reads only caches.
    blocking: bool | BlockingPredicate = True
    #: Callable without a SigV4 signature (the token in the call is the credential).
    unsigned: bool = False

    def blocks(self, params: Mapping[str, Any]) -> bool:
        return self.blocking(params) if callable(self.blocking) else self.blocking


def operation(
    table: dict[str, Operation],
    name: str,
    *,
    blocking: bool | BlockingPredicate = True,
    unsigned: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a handler under its AWS operation name."""

    def register(fn: Handler) -> Handler:
        table[name] = Operation(fn, blocking=blocking, unsigned=unsigned)
        return fn

    return register
