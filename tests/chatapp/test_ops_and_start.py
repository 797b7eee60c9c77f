"""Background ops, and starting the app from the command line."""
import subprocess
import sys
import threading

from chatapp.ops import Op, Progress, Worker


def test_op_reports_progress_and_result_on_the_gui_thread(qtbot):
    worker = Worker("test")
    main = threading.get_ident()
    seen = []

    def work(ctx):
        for step in range(3):
            ctx.report(Progress("step", step, 3))
        return threading.get_ident()

    op = worker.run(work)
    op.progress.connect(lambda p: seen.append((p.value, threading.get_ident() == main)))
    with qtbot.waitSignal(op.result, timeout=3000) as blocker:
        pass
    assert blocker.args[0] != main  # it ran on the worker
    assert seen == [(0, True), (1, True), (2, True)]
    assert op.state == "done"
    worker.shutdown()


def test_failure_and_cancel(qtbot):
    worker = Worker("test")
    gate = threading.Event()

    def boom(_ctx):
        raise ValueError("bad input")

    failing = worker.run(boom)
    with qtbot.waitSignal(failing.failed, timeout=3000) as blocker:
        pass
    assert str(blocker.args[0]) == "bad input" and "ValueError" in blocker.args[0].traceback_text

    def wait_for_stop(ctx):
        while not ctx.should_stop():
            gate.wait(0.01)
        return "stopped early"

    running = worker.run(wait_for_stop)
    queued = Op(lambda _ctx: "never runs")
    ran = []
    queued.result.connect(ran.append)
    worker.submit(queued)
    qtbot.waitUntil(lambda: running.state == "running", timeout=3000)
    running.cancel()
    queued.cancel()
    with qtbot.waitSignal(queued.cancelled, timeout=3000):
        pass
    assert running.state == "cancelled" and ran == []
    assert worker.shutdown()


def test_ops_on_one_worker_run_one_at_a_time(qtbot):
    worker = Worker("serial")
    active, overlaps = [0], []

    def work(_ctx):
        active[0] += 1
        overlaps.append(active[0])
        threading.Event().wait(0.02)
        active[0] -= 1

    ops = [worker.run(work) for _ in range(4)]
    qtbot.waitUntil(lambda: all(op.is_finished for op in ops), timeout=3000)
    assert overlaps == [1, 1, 1, 1]
    worker.shutdown()


def test_version():
    done = subprocess.run([sys.executable, "-m", "chatapp", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "chatapp 0.1.0"


def test_a_corrupt_database_gives_a_clear_message_at_start(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "chatapp.sqlite3").write_bytes(b"garbage" * 500)
    done = subprocess.run([sys.executable, "-m", "chatapp", "--data-dir", str(folder)],
                          capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert "cannot be read" in done.stderr and "left as it is" in done.stderr
    assert "Traceback" not in done.stderr
    assert (folder / "chatapp.sqlite3").read_bytes() == b"garbage" * 500


def test_a_data_folder_that_cannot_be_made_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = subprocess.run([sys.executable, "-m", "chatapp", "--data-dir", str(blocker / "data")],
                          capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2 and "cannot be written" in done.stderr
