import os

# Qt aborts the process without a display unless it renders offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402

# Tiny models are dominated by per-op overhead, where a second thread only adds synchronisation.
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True)
def _one_thread():
    """Command-line tests may set another thread count (``--threads``); every test starts, and
    leaves the next one's fixtures, on one."""
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def memory_model(tmp_path_factory):
    """The tiny chat model that knows ``tiny_chat.MEMORY`` by heart, trained once per test run:
    ``(predictor, checkpoint path)``. A test that changes a predictor (its topic words, say)
    loads its own from the path."""
    from tiny_chat import MEMORY

    from engine.tasks.chat_train import train_small_model

    path = tmp_path_factory.mktemp("memory-model") / "chat.safetensors"
    return train_small_model(MEMORY, path, epochs=150), path
