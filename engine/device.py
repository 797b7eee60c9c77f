"""Choosing the device once, and mixed precision on CUDA."""
from __future__ import annotations

import contextlib

import torch

_mixed_precision = True  # set once from the command line's --fp32 (set_mixed_precision)


def set_mixed_precision(enabled: bool) -> None:
    """Whether ``autocast`` may use bfloat16 on CUDA (``--fp32`` turns it off for the process)."""
    global _mixed_precision
    _mixed_precision = enabled


def pick_device(name: str = "auto") -> torch.device:
    """``auto`` takes CUDA when there is a GPU and the CPU otherwise; ``cpu``/``cuda`` force one."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for, but torch sees no GPU on this machine")
    if name.split(":")[0] not in ("cpu", "cuda"):
        raise ValueError(f"unknown device {name!r}: use auto, cpu or cuda")
    return torch.device(name)


def autocast(device: torch.device):
    """bfloat16 autocast on CUDA GPUs that have it (no loss scaling needed); full precision on
    older GPUs, on the CPU, and where ``set_mixed_precision(False)`` asked for it."""
    if _mixed_precision and device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
