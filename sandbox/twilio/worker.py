"""A private asyncio loop on a daemon thread, for the work Twilio does after answering.

Status progression and webhooks must not hold up the API answer, and they must run
whether the API is served by uvicorn (its own loop, its own thread), by a test client, or
called from plain Python. So the sandbox owns one background loop: API code submits
coroutines to it from any thread and gets a `concurrent.futures.Future` back. Many
messages progress concurrently (each is one task sleeping between steps), and
`wait_idle()` lets tests wait for "everything settled" without sleeping.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """Runs coroutines on a dedicated event loop thread until `close()`."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending: set[concurrent.futures.Future[Any]] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            # Tasks that began after `close` cancelled the others (a connection attempt a
            # callback was starting, say): cancelled and run to their end here, as
            # `asyncio.run` does, so none is dropped with its coroutine never awaited.
            late = asyncio.all_tasks(self._loop)
            for task in late:
                task.cancel()
            if late:
                self._loop.run_until_complete(asyncio.gather(*late, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule `coro` on the loop; safe from any thread, including the loop's own."""
        with self._lock:
            if self._closed:
                coro.close()
                raise RuntimeError("the sandbox's background loop is closed")
            future = asyncio.run_coroutine_threadsafe(coro, self._loop)
            self._pending.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: concurrent.futures.Future[Any]) -> None:
        with self._idle:
            self._pending.discard(future)
            if not self._pending:
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no submitted work is left (True) or `timeout` seconds pass (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout)

    def cancel_all(self, timeout: float = 5.0) -> None:
        """Cancel every task still running on the loop and wait until they are gone."""

        async def cancel() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel(), self._loop).result(timeout)

    def close(
        self, cleanup: Callable[[], Coroutine[Any, Any, None]] | None = None, timeout: float = 5.0
    ) -> None:
        """Cancel what is still running, run `cleanup` on the loop, stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True

        try:
            self.cancel_all(timeout)
            if cleanup is not None:
                asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.close()
