"""``StoreOwner``: the one thread that opens and uses the ``Store``.

SQLite is written from the chat (the GUI), the training panel (the file worker) and at the end
of a run; as Anki serialises every collection operation on one background thread, every store
operation here is a task queued to a single owner thread, run in the order it was queued. Callers
on the GUI thread never wait: ``run(work, on_done, on_error)`` queues ``work(store)`` and hands
its result (or the exception it raised) to a callback on the GUI thread. A worker thread that
needs the answer to go on (preparing a training run) waits on ``call(work)``'s future, or uses
``blocking``, a stand-in for the store whose every method does that. A task queued from the owner
thread itself runs at once (no deadlock).

It is a plain ``threading.Thread`` with a queue rather than a ``QThread``: the store knows no Qt,
the owner needs no event loop of its own (a queue is all it waits on), and a worker thread that
waits on a ``concurrent.futures.Future`` needs no Qt either. How results reach the GUI thread is
given to it (``deliver``: the app passes a queued Qt signal, ``chatapp.ops.GuiCalls``).
"""
from __future__ import annotations

import queue
import sys
import threading
import traceback
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Optional

Work = Callable[[Any], Any]  # work(store) -> a plain value (records, ids, lists)
Deliver = Callable[[Callable[[], None]], None]  # runs a callable later on the GUI thread


class StoreClosed(RuntimeError):
    """A task was queued after the owner closed the store."""


class StoreOwner:
    """Opens the store on its own thread, then runs every task queued to it, in order."""

    def __init__(self, open_store: Callable[[], Any], deliver: Optional[Deliver] = None,
                 name: str = "chatapp-store"):
        """``open_store()`` runs on the owner thread (a ``Store(data_dir)``); ``deliver`` runs
        callbacks on the GUI thread (None: on the owner thread, for code without Qt).
        Raises what ``open_store`` raised (``StoreError`` with a message for the user)."""
        self._deliver = deliver or (lambda fn: fn())
        self._queue: "queue.Queue[Optional[tuple[Work, Future]]]" = queue.Queue()
        self._lock = threading.Lock()
        self._pending = 0  # tasks queued whose callbacks have not run yet
        self._closed = False
        self.store: Any = None  # for the owner thread only; everyone else queues a task
        opened: Future = Future()
        self._thread = threading.Thread(target=self._loop, args=(open_store, opened), name=name, daemon=True)
        self._thread.start()
        self.store = opened.result()  # the open's error is raised here, to the app that starts
        self.data_dir: Path = Path(self.store.data_dir)  # a plain path: any thread may read it

    # -- queueing ----------------------------------------------------------------------------
    @property
    def on_owner_thread(self) -> bool:
        return threading.current_thread() is self._thread

    @property
    def busy(self) -> bool:
        """Tasks are queued or running, or their callbacks have not run yet."""
        with self._lock:
            return self._pending > 0

    def call(self, work: Work) -> Future:
        """Queue ``work(store)``; its future holds the result or the exception. On the owner
        thread it runs at once. For worker threads: the GUI thread uses ``run``."""
        future: Future = Future()
        if self.on_owner_thread:
            _settle(future, work, self.store)
            return future
        with self._lock:
            if self._closed:
                future.set_exception(StoreClosed("The data folder is closed."))
                return future
            self._queue.put((work, future))
        return future

    def run(self, work: Work, on_done: Optional[Callable[[Any], None]] = None,
            on_error: Optional[Callable[[BaseException], None]] = None) -> Future:
        """Queue ``work(store)``; ``on_done(result)`` or ``on_error(exception)`` follows on the
        GUI thread. An error with no ``on_error`` is printed with its traceback."""
        with self._lock:
            self._pending += 1
        future = self.call(work)
        future.add_done_callback(lambda done: self._deliver(lambda: self._finish(done, on_done, on_error)))
        return future

    def _finish(self, future: Future, on_done, on_error) -> None:
        try:
            error = future.exception()
            if error is None:
                if on_done is not None:
                    on_done(future.result())
            elif on_error is not None:
                on_error(error)
            else:
                traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
        finally:
            with self._lock:
                self._pending -= 1

    @property
    def blocking(self) -> "BlockingStore":
        """The store for a worker thread (or a test): each method call waits for its result."""
        return BlockingStore(self)

    # -- closing -----------------------------------------------------------------------------
    def close(self, timeout: Optional[float] = None) -> bool:
        """Run every task already queued (nothing typed is lost), then close the store. Later
        tasks fail with ``StoreClosed``. True once the owner thread has ended."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        if not self.on_owner_thread:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self, open_store: Callable[[], Any], opened: Future) -> None:
        try:
            store = open_store()
        except BaseException as error:  # noqa: BLE001 - handed to the thread that waits
            opened.set_exception(error)
            return
        bind = getattr(store, "bind_thread", None)
        if bind is not None:
            bind()  # from now on the store refuses any other thread (see Store._session)
        opened.set_result(store)
        while True:
            task = self._queue.get()
            if task is None:
                break
            work, future = task
            _settle(future, work, store)
        store.close()


class BlockingStore:
    """The store's methods, each queued to the owner and waited for (a worker thread's view).

    Attributes that are not methods (``data_dir``) are read as they are."""

    def __init__(self, owner: StoreOwner):
        self._owner = owner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._owner.store, name)
        if not callable(value):
            return value

        def method(*args: Any, **kwargs: Any) -> Any:
            return self._owner.call(lambda store: getattr(store, name)(*args, **kwargs)).result()

        method.__name__ = name
        return method


def _settle(future: Future, work: Work, store: Any) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(work(store))
    except BaseException as error:  # noqa: BLE001 - every failure reaches the caller
        future.set_exception(error)
