"""An API operation is written once, as a method that describes its request (a `Call`).

The decorators below turn such a method into the public one: on a sync client it sends the
call and answers the result, on an async client it answers a coroutine (or an async
iterator, for pages). mypy sees the right type for each, from the one definition.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from opensales.client.jobs import AsyncJob, Job

T = TypeVar("T")
P = ParamSpec("P")


class SyncMode:
    """Marks objects bound to a `Client`."""


class AsyncMode:
    """Marks objects bound to an `AsyncClient`."""


M = TypeVar("M", SyncMode, AsyncMode)


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One request, and how to turn its parsed JSON body into the result."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    files: Any = None
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing, with what its `meta` says about the whole."""

    items: list[T]
    total_pages: int | None = None
    total: int | None = None

    def is_last(self, number: int, seen: int) -> bool:
        """Whether page `number` ends the listing, `seen` items having come so far.

        `total_pages` is the authority when the server sends it, then `total`; otherwise
        the listing ends at the first empty page (a short page is no proof: servers cap
        per_page, Freshsales at its own limit).
        """
        if not self.items:
            return True
        if self.total_pages is not None:
            return number >= self.total_pages
        if self.total is not None:
            return seen >= self.total
        return False


@dataclass(frozen=True, slots=True)
class Pages(Generic[T]):
    """A listing fetched page after page: `call_for(n)` is the request for page n."""

    call_for: Callable[[int], Call[Page[T]]]


@dataclass(frozen=True, slots=True)
class JobTicket:
    """What a bulk request answers: the job's id and the server's message."""

    id: int
    message: str


class Bound(Generic[M]):
    """Anything whose operations run through a client: the client itself, or a resource."""

    _client: Any


Build = Callable[Concatenate[Any, P], T]


class _Operation(Generic[P, T]):
    def __init__(self, build: Build[P, T]) -> None:
        self.build = build
        self.__doc__ = build.__doc__
        self.__name__ = build.__name__

    def _bind(self, obj: Bound[Any], run: Callable[[Any], Any]) -> Callable[..., Any]:
        def bound(*args: Any, **kwargs: Any) -> Any:
            return run(self.build(obj, *args, **kwargs))

        bound.__doc__ = self.__doc__
        bound.__name__ = self.__name__
        return bound


class endpoint(_Operation[P, Call[T]]):
    """One request; the result is the parsed body."""

    @overload
    def __get__(self, obj: Bound[SyncMode], owner: Any = None) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: Bound[AsyncMode], owner: Any = None
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: Bound[Any], owner: Any = None) -> Callable[..., Any]:
        return self._bind(obj, obj._client._run)


class paged(_Operation[P, Pages[T]]):
    """A listing: an iterator over every item of every page, fetching each page when needed."""

    @overload
    def __get__(self, obj: Bound[SyncMode], owner: Any = None) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(
        self, obj: Bound[AsyncMode], owner: Any = None
    ) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: Bound[Any], owner: Any = None) -> Callable[..., Any]:
        return self._bind(obj, obj._client._iterate)


class job(_Operation[P, Call[JobTicket]]):
    """A bulk request that the server runs in the background; the result is a Job to wait on."""

    @overload
    def __get__(self, obj: Bound[SyncMode], owner: Any = None) -> Callable[P, Job]: ...
    @overload
    def __get__(
        self, obj: Bound[AsyncMode], owner: Any = None
    ) -> Callable[P, Coroutine[Any, Any, AsyncJob]]: ...
    def __get__(self, obj: Bound[Any], owner: Any = None) -> Callable[..., Any]:
        return self._bind(obj, obj._client._start_job)
