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


@dataclass(frozen=True)
class Operation:
    fn: Handler
    #: Touches the store (or the network): run it on a worker thread, not the event loop.
    blocking: bool = True
    #: Callable without a SigV4 signature (the token in the call is the credential).
    unsigned: bool = False


def operation(
    table: dict[str, Operation], name: str, *, blocking: bool = True, unsigned: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler under its AWS operation name."""

    def register(fn: Handler) -> Handler:
        table[name] = Operation(fn, blocking=blocking, unsigned=unsigned)
        return fn

    return register
