"""Checkpoint files: weights, config, vocabulary, training metadata and optimiser state.

One safetensors file per checkpoint. Tensors live in the tensor table; everything else is JSON
in the header's metadata, so loading never unpickles anything. Files are written to a temporary
name in the same folder and renamed into place, so a crash or a full disk never leaves a
half-written checkpoint where a good one was.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

FORMAT = "chatapp-checkpoint/1"
_OPTIM_PREFIX = "__optimizer__."


class CheckpointError(Exception):
    """A checkpoint that cannot be used; the message is one line that names the file."""


@dataclass
class Checkpoint:
    kind: str  # "chat", "sentiment" or "caption"
    config: dict[str, Any]
    weights: dict[str, torch.Tensor]
    vocab: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # training metadata: step, epoch, data, figures
    optimizer: dict[str, Any] | None = None  # an optimiser state_dict, for resuming


def _flatten_optimizer(state_dict: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for param_id, param_state in state_dict["state"].items():
        for name, value in param_state.items():
            if torch.is_tensor(value):
                tensors[f"{_OPTIM_PREFIX}{param_id}.{name}"] = value
            else:
                scalars.setdefault(str(param_id), {})[name] = value
    return tensors, {"param_groups": state_dict["param_groups"], "scalars": scalars}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], info: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        param_id, name = key[len(_OPTIM_PREFIX):].split(".", 1)
        state.setdefault(int(param_id), {})[name] = value
    for param_id, values in info["scalars"].items():
        state.setdefault(int(param_id), {}).update(values)
    return {"state": state, "param_groups": info["param_groups"]}


def save_checkpoint(path: str | os.PathLike, checkpoint: Checkpoint, *, half: bool = False) -> Path:
    """Write ``checkpoint`` atomically; ``half`` stores floating weights as float16 (shipping size)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    seen: set[int] = set()
    for name, tensor in checkpoint.weights.items():
        tensor = tensor.detach().cpu()
        if half and tensor.is_floating_point():
            tensor = tensor.half()
        # safetensors refuses tensors that share memory (tied weights): store a copy of each.
        if tensor.data_ptr() in seen:
            tensor = tensor.clone()
        seen.add(tensor.data_ptr())
        tensors[name] = tensor.contiguous()
    metadata = {
        "format": FORMAT,
        "kind": checkpoint.kind,
        "config": json.dumps(checkpoint.config),
        "vocab": json.dumps(checkpoint.vocab),
        "meta": json.dumps(checkpoint.meta),
    }
    if checkpoint.optimizer is not None:
        optim_tensors, optim_info = _flatten_optimizer(checkpoint.optimizer)
        tensors.update({k: v.detach().cpu().contiguous() for k, v in optim_tensors.items()})
        metadata["optimizer"] = json.dumps(optim_info)
    handle, temp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        save_file(tensors, temp_name, metadata=metadata)
        with open(temp_name, "rb") as written:
            os.fsync(written.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)  # mkstemp makes files private; a checkpoint is not
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path: str | os.PathLike, kind: str | None = None) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`; raise :class:`CheckpointError` otherwise."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: a folder, not a checkpoint file (give the .safetensors file in it)")
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint (truncated or corrupt: {reason})") from None
    if metadata.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a chatapp checkpoint (format {metadata.get('format')!r})")
    if kind is not None and metadata.get("kind") != kind:
        raise CheckpointError(f"{path}: a {metadata.get('kind')} checkpoint, not a {kind} one")
    try:
        optimizer = None
        if "optimizer" in metadata:
            optim_tensors = {k: tensors.pop(k) for k in [k for k in tensors if k.startswith(_OPTIM_PREFIX)]}
            optimizer = _unflatten_optimizer(optim_tensors, json.loads(metadata["optimizer"]))
        return Checkpoint(
            kind=metadata["kind"],
            config=json.loads(metadata["config"]),
            weights={k: (v.float() if v.dtype == torch.float16 else v) for k, v in tensors.items()},
            vocab=json.loads(metadata["vocab"]),
            meta=json.loads(metadata["meta"]),
            optimizer=optimizer,
        )
    except (KeyError, ValueError, TypeError) as error:
        raise CheckpointError(f"{path}: damaged checkpoint metadata ({error})") from None


def load_weights(model: torch.nn.Module, checkpoint: Checkpoint, path: str | os.PathLike = "checkpoint") -> None:
    """Copy ``checkpoint.weights`` into ``model``; a mismatch becomes a :class:`CheckpointError`."""
    try:
        model.load_state_dict(checkpoint.weights, strict=True)
    except RuntimeError as error:
        first = str(error).splitlines()[0]
        raise CheckpointError(f"{path}: weights do not fit the model ({first})") from None


def recorded_command(kind: str, argv: list[str]) -> str:
    """The training command a checkpoint records (``python -m engine train KIND ...`` from the
    arguments after the kind), with no path of the machine it ran on: an absolute path is written
    relative to the working folder when it is inside it, else as its last part."""
    def portable(arg: str) -> str:
        if not os.path.isabs(arg):
            return arg
        path, here = Path(arg), Path.cwd()
        return str(path.relative_to(here)) if path.is_relative_to(here) else path.name

    return " ".join([f"python -m engine train {kind}"] + [portable(arg) for arg in argv])
