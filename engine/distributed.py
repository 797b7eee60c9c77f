"""Training on several processes: the one module that knows about ranks.

``torchrun --nproc-per-node N -m engine train ...`` starts N copies of the command with RANK,
WORLD_SIZE and LOCAL_RANK in their environment; :func:`session` joins them into one process group
(NCCL on GPUs, Gloo on CPUs). Every rank reads the same global batches and takes its own rows of
them (:func:`share`), so the rows of all ranks together are exactly one process's batch; after
``backward()`` the gradients are averaged over the ranks (:func:`average_gradients`) before the
global norm is measured and clipped, so clipping means what it means in one process.

We average with an explicit all-reduce of ``.grad`` rather than DistributedDataParallel: the
truncated-BPTT loops run several forward calls (one per exchange, with carried state and a teacher)
before each backward, which DDP's per-forward bucketing hooks do not expect, and the explicit
reduction puts the averaging exactly between backward and clipping, where Algorithm 1 needs it.
With one bucket per step it costs one all-reduce of the flattened gradients, as DDP would.

Without torchrun (WORLD_SIZE unset or 1) every function here is a no-op: rank 0 of 1.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Iterable, Iterator, Optional, Sequence, TypeVar

import torch
import torch.distributed as dist

T = TypeVar("T")
TIMEOUT_MINUTES = float(os.environ.get("CHATAPP_DIST_TIMEOUT_MINUTES", "30"))  # a collective waits this long


class DistributedError(RuntimeError):
    """Another rank failed or left: this rank stops too, keeping the last good checkpoint."""


@dataclass(frozen=True)
class Ranks:
    rank: int = 0  # this process among all (0 writes checkpoints and progress)
    world_size: int = 1  # processes in the run
    local_rank: int = 0  # this process on its machine (its GPU)


def environment() -> Ranks:
    """What torchrun put in the environment (one process without it)."""
    env = os.environ
    return Ranks(int(env.get("RANK", 0)), int(env.get("WORLD_SIZE", 1)), int(env.get("LOCAL_RANK", 0)))


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if active() else 0


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    """Whether this process writes checkpoints, progress and validation (rank 0)."""
    return rank() == 0


def device_for(device: torch.device) -> torch.device:
    """This rank's device: its own GPU (LOCAL_RANK) on CUDA, the CPU otherwise."""
    if device.type == "cuda" and environment().world_size > 1:
        return torch.device("cuda", environment().local_rank)
    return device


def start(device: torch.device) -> Ranks:
    """Join torchrun's process group (no-op in one process): NCCL on CUDA, Gloo on the CPU."""
    ranks = environment()
    if ranks.world_size <= 1 or dist.is_initialized():
        return ranks
    if device.type == "cuda":
        torch.cuda.set_device(ranks.local_rank)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo",
                            timeout=timedelta(minutes=TIMEOUT_MINUTES))
    return ranks


def stop() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


@contextmanager
def session(device: torch.device) -> Iterator[Ranks]:
    """The process group for the length of a command; left whatever happens."""
    ranks = start(device)
    try:
        yield ranks
        # Every rank reaches the end before any tears the group down: a rank that left while a
        # peer still closed its connections could abort that peer (Gloo's "terminate called").
        barrier()
    finally:
        stop()


def _collective(run: Callable[[], T]) -> T:
    """Run a collective; a peer that died or left turns into one clear :class:`DistributedError`."""
    try:
        return run()
    except RuntimeError as error:
        if isinstance(error, DistributedError):
            raise
        first_line = (str(error).strip().splitlines() or ["no message"])[0][:200]
        raise DistributedError(f"rank {rank()} of {world_size()}: another rank failed or left the run "
                               f"({first_line}); the last good checkpoint is kept") from None


def _device() -> torch.device:
    return torch.device("cuda", torch.cuda.current_device()) if dist.get_backend() == "nccl" else torch.device("cpu")


def check_rows(rows: int, what: str = "--batch-size") -> None:
    """Every rank needs at least one row of each batch: say so before anything starts."""
    size = max(environment().world_size, world_size())
    if size > rows:
        raise ValueError(f"--nproc-per-node times --nnodes is {size} processes, more than the {rows} rows of "
                         f"one batch ({what} {rows}): give each process at least one row")


def share(rows: int) -> slice:
    """This rank's contiguous rows of a batch of ``rows`` (the ranks' shares differ by one at most)."""
    size, me = world_size(), rank()
    return slice(me * rows // size, (me + 1) * rows // size)


def my_items(items: Sequence[T]) -> tuple[list[T], float]:
    """This rank's share of ``items`` and its weight (:func:`weight`). A rank left with none takes
    the first item at weight 0, so that every rank still runs the same steps and collectives."""
    mine = list(items[share(len(items))])
    if mine or not items:
        return mine, weight(len(mine))
    weight(0)
    return list(items[:1]), 0.0


def total(value: float) -> float:
    """``value`` summed over the ranks."""
    if not active():
        return value
    tensor = torch.tensor([float(value)], dtype=torch.float64, device=_device())
    _collective(lambda: dist.all_reduce(tensor))
    return float(tensor.item())


def mean(value: float) -> float:
    return total(value) / world_size()


def weight(count: float) -> float:
    """``count / (sum of count over ranks / world size)``: a rank's mean loss times this weight,
    averaged over the ranks, is the mean over all ranks' items, however unevenly they split."""
    if not active():
        return 1.0
    everyone = total(count)
    return count * world_size() / everyone if everyone > 0 else 0.0


def any_true(*flags: bool) -> tuple[bool, ...]:
    """Each flag, true if it is true on any rank (a stop request on one rank stops all)."""
    if not active():
        return tuple(bool(f) for f in flags)
    tensor = torch.tensor([float(bool(f)) for f in flags], device=_device())
    _collective(lambda: dist.all_reduce(tensor, op=dist.ReduceOp.MAX))
    return tuple(bool(v) for v in tensor.tolist())


def from_main(value: float) -> float:
    """Rank 0's ``value`` on every rank (a clock or a validation figure that must agree)."""
    if not active():
        return value
    tensor = torch.tensor([float(value)], dtype=torch.float64, device=_device())
    _collective(lambda: dist.broadcast(tensor, 0))
    return float(tensor.item())


def barrier() -> None:
    if active():
        _collective(dist.barrier)


def broadcast_parameters(module: torch.nn.Module) -> None:
    """Rank 0's weights and buffers on every rank (as DistributedDataParallel does at its start)."""
    if not active():
        return
    with torch.no_grad():
        for tensor in list(module.parameters()) + list(module.buffers()):
            _collective(lambda t=tensor: dist.broadcast(t.data, 0))


def average_gradients(parameters: Iterable[torch.nn.Parameter]) -> None:
    """Every parameter's ``.grad`` becomes its mean over the ranks: one all-reduce of the
    flattened gradients. A parameter without a gradient takes zeros (another rank may have one)."""
    if not active():
        return
    parameters = [p for p in parameters if p.requires_grad]
    for parameter in parameters:
        if parameter.grad is None:
            parameter.grad = torch.zeros_like(parameter)
    grads = [p.grad for p in parameters]
    flat = torch.cat([g.reshape(-1).float() for g in grads])
    _collective(lambda: dist.all_reduce(flat))
    flat /= world_size()
    offset = 0
    for grad in grads:
        grad.copy_(flat[offset:offset + grad.numel()].view_as(grad))
        offset += grad.numel()


def main_only(callback: Optional[Callable[..., None]]) -> Optional[Callable[..., None]]:
    """``callback`` on rank 0; None (or a no-op for progress) elsewhere."""
    return callback if is_main() else None


def wrap(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """DistributedDataParallel around ``model`` for a loop with one forward per backward (the GPU
    check's two-GPU step); the model itself when there is one process."""
    if not active():
        return model
    ids = [device.index] if device.type == "cuda" else None
    return torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _rank_main(index: int, size: int, port: int, function: Callable, args: tuple, errors, device_type: str) -> None:
    """One rank of :func:`launch`: torchrun's environment, the Gloo group, ``function(*args)``."""
    os.environ.update(RANK=str(index), WORLD_SIZE=str(size), LOCAL_RANK=str(index), MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    torch.set_num_threads(1)
    try:
        with session(torch.device(device_type)):
            function(*args)
    except BaseException as error:  # reported to the launcher, which raises it
        errors.put((index, f"{type(error).__name__}: {error}"))
        raise SystemExit(1)
    # Done, the group left: exit without the interpreter's finalisation, in which work Gloo's
    # threads still hold can free tensors and abort the process ("terminate called without an
    # active exception", exit code -6 after a run that went well; seen once in the test suite).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def launch(function: Callable, size: int, *args, timeout_s: float = 600.0, device_type: str = "cpu") -> None:
    """Run ``function(*args)`` on ``size`` local ranks as torchrun would (the DDP benchmark and the
    tests): Gloo, or NCCL with one GPU a rank when ``device_type`` is "cuda". Every rank runs to its
    own end; if any failed, raises :class:`DistributedError` naming each failed rank and its error.
    ``function`` must be importable (a module's top level)."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    port = _free_port()
    processes = [context.Process(target=_rank_main, args=(i, size, port, function, args, errors, device_type))
                 for i in range(size)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout_s)
        if process.is_alive():
            process.terminate()
            process.join()
    failed = {}
    while True:
        try:
            index, message = errors.get(timeout=0.5)
        except queue.Empty:
            break
        failed[index] = message
    failed.update({i: f"exit code {p.exitcode}" for i, p in enumerate(processes) if p.exitcode and i not in failed})
    if failed:
        raise DistributedError("; ".join(f"rank {i}: {failed[i]}" for i in sorted(failed)))
