"""The store's owner thread, without Qt: order, errors, waiting from a worker, closing."""
import threading

import pytest

from chatapp.store import Store, StoreError
from chatapp.store.owner import StoreClosed, StoreOwner


@pytest.fixture
def owner(tmp_path):
    owner = StoreOwner(lambda: Store(tmp_path / "data"))
    yield owner
    owner.close(5)


def test_the_store_is_opened_on_the_owner_thread_and_refuses_any_other(owner):
    threads = owner.call(lambda store: (threading.get_ident(), store._thread)).result(5)
    assert threads[0] == threads[1] != threading.get_ident()
    with pytest.raises(RuntimeError, match="not its owner"):
        owner.store.conversations()  # this thread is not the owner's
    assert owner.call(lambda store: store.conversations()).result(5) == []


def test_an_open_that_fails_is_raised_to_the_caller(tmp_path):
    (tmp_path / "data").write_text("a file where the folder should be")
    with pytest.raises(StoreError):
        StoreOwner(lambda: Store(tmp_path / "data"))


def test_tasks_run_in_the_order_they_were_queued_from_every_thread(owner):
    conversation = owner.call(lambda store: store.create_conversation("order")).result(5)

    def send(name: str) -> None:
        for i in range(20):
            owner.call(lambda store, i=i: store.add_message(conversation.id, "user", f"{name} {i}"))

    workers = [threading.Thread(target=send, args=(name,)) for name in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    texts = [m.text for m in owner.blocking.messages(conversation.id)]
    for name in "ab":  # each thread's messages are saved in the order it sent them
        assert [t for t in texts if t.startswith(name)] == [f"{name} {i}" for i in range(20)]
    assert len(texts) == 40


def test_an_error_on_the_owner_reaches_the_error_callback(owner):
    got = []
    done = threading.Event()

    def failing(store):
        store.add_correction(10_000, "no such message")  # raises ValueError: not a bot message

    owner.run(failing, on_done=lambda value: (got.append(("done", value)), done.set()),
              on_error=lambda error: (got.append(("error", error)), done.set()))
    assert done.wait(5)
    assert len(got) == 1 and got[0][0] == "error" and isinstance(got[0][1], ValueError)
    assert not owner.busy


def test_a_call_from_the_owner_thread_runs_at_once(owner):
    def nested(store):
        return owner.call(lambda inner: inner.create_conversation("nested").id).result(1)

    assert owner.call(nested).result(5) == 1  # no deadlock: the inner call did not queue behind it


def test_closing_runs_what_is_queued_then_closes_the_store(tmp_path):
    owner = StoreOwner(lambda: Store(tmp_path / "data"))
    release = threading.Event()
    owner.call(lambda store: release.wait(5))  # the owner is busy: the writes below pile up
    conversation_id = 1
    owner.call(lambda store: store.create_conversation("kept"))
    for i in range(5):
        owner.call(lambda store, i=i: store.add_message(conversation_id, "user", f"typed {i}"))
    threading.Timer(0.2, release.set).start()
    assert owner.close(10)
    with pytest.raises(StoreClosed):
        owner.call(lambda store: store.conversations()).result(1)
    reopened = Store(tmp_path / "data")
    try:
        assert [m.text for m in reopened.messages(conversation_id)] == [f"typed {i}" for i in range(5)]
    finally:
        reopened.close()


def test_a_worker_waits_on_the_blocking_store(owner):
    results = []

    def worker():
        store = owner.blocking
        conversation = store.create_conversation("from a worker")
        store.add_message(conversation.id, "user", "hello")
        results.append((store.data_dir, [m.text for m in store.messages(conversation.id)]))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert results == [(owner.data_dir, ["hello"])]
