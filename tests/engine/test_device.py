"""Choosing the device and the precision."""
import contextlib

import pytest
import torch

from engine import device as device_module
from engine.device import autocast, pick_device, set_mixed_precision


@pytest.fixture
def gpu_with_bf16(monkeypatch):
    """A CUDA device that reports bfloat16 support (only the autocast choice is exercised)."""
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    yield torch.device("cuda")
    set_mixed_precision(True)


def test_autocast_uses_bfloat16_on_a_gpu_unless_full_precision_is_asked(gpu_with_bf16):
    mixed = autocast(gpu_with_bf16)
    assert isinstance(mixed, torch.autocast) and mixed.fast_dtype == torch.bfloat16
    assert isinstance(autocast(torch.device("cpu")), contextlib.nullcontext)
    set_mixed_precision(False)
    assert isinstance(autocast(gpu_with_bf16), contextlib.nullcontext)


def test_fp32_option_turns_mixed_precision_off_for_the_process(gpu_with_bf16, capsys):
    from engine.__main__ import main

    assert main(["reply", "hi", "--fp32", "--device", "cpu", "--strategy", "greedy"]) == 0
    assert capsys.readouterr().out.strip()
    assert not device_module._mixed_precision
    assert isinstance(autocast(gpu_with_bf16), contextlib.nullcontext)


def test_unknown_devices_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown device"):
        pick_device("tpu")
