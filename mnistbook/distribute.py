"""Training on several processes of one machine: free ports, ``TF_CONFIG``, worker processes.

Introduced in chapter 13, Going further: the chapter trains one network with
``tf.distribute.MultiWorkerMirroredStrategy`` in two worker processes on
this machine, the way a cluster of machines would. The process handling is
here, too long to inline into a notebook and easy to get wrong: workers run
in their own process groups, and :func:`run_workers` never returns or raises
while one of them (or anything it started) is still running.

Only the loopback address 127.0.0.1 is used: nothing here is reachable from
another machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LOCALHOST", "WorkerError", "WorkerResult", "free_ports", "run_workers", "tf_config"]

#: The only address the workers listen on: this machine's loopback interface.
LOCALHOST = "127.0.0.1"


class WorkerError(RuntimeError):
    """A worker process failed, or ran past its time limit and was stopped.

    The message says which worker, how it ended and the last lines it wrote
    to its error output. ``results`` holds a :class:`WorkerResult` for every
    worker (all of them have ended by the time this is raised). Not used in
    the chapters by name; :func:`run_workers` raises it.
    """

    def __init__(self, message: str, results: list[WorkerResult]):
        super().__init__(message)
        self.results = results


@dataclass(frozen=True)
class WorkerResult:
    """How one worker process ended: its ``index`` (as in ``TF_CONFIG``), ``pid``,
    ``returncode`` (0: success; negative: killed by that signal), the text it
    wrote to ``stdout`` and to ``stderr``, and its run time in ``seconds``.

    Not used in the chapters by name; :func:`run_workers` returns a list of them.
    """

    index: int
    pid: int
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def free_ports(n: int = 2) -> list[int]:
    """Return ``n`` distinct TCP ports that are free on 127.0.0.1 right now.

    Each port comes from the operating system: a socket bound to port 0
    gets a free one. All ``n`` sockets are held open together, so the ports
    differ, then closed, so the workers can bind them. (Another program
    could take one in between; on a machine you use alone that does not
    happen in practice.) Raises ``ValueError`` when ``n`` is less than 1.
    Introduced in chapter 13, Going further.
    """
    if n < 1:
        raise ValueError(f"expected at least 1 port; got n={n}")
    sockets: list[socket.socket] = []
    try:
        for _ in range(n):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((LOCALHOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(ports: list[int], index: int) -> dict:
    """Return the ``TF_CONFIG`` of worker ``index`` in a cluster of workers on 127.0.0.1.

    A dict with the two parts TensorFlow reads: ``"cluster"``, the same for
    every worker (the address of each worker, ``"127.0.0.1:<port>"``, one
    per port), and ``"task"``, this process's role (``{"type": "worker",
    "index": index}``; worker 0 is the *chief*). Put ``json.dumps`` of it in
    the ``TF_CONFIG`` environment variable of that worker's process before
    it creates its strategy. On a real cluster, the addresses are the
    machines' names instead. Raises ``ValueError`` when ``index`` is not
    one of the workers. Introduced in chapter 13, Going further.
    """
    ports = [int(port) for port in ports]
    if not 0 <= index < len(ports):
        raise ValueError(f"expected a worker index from 0 to {len(ports) - 1}; got {index}")
    return {
        "cluster": {"worker": [f"{LOCALHOST}:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }


def run_workers(
    script: str | os.PathLike,
    n: int = 2,
    timeout: float = 300.0,
    *,
    env: dict[str, str] | None = None,
    grace: float = 5.0,
) -> list[WorkerResult]:
    """Run ``script`` as ``n`` worker processes of one cluster on this machine; wait for all.

    Picks ``n`` free ports (:func:`free_ports`) and starts ``n`` Python
    processes (this kernel's interpreter) running ``script``, at the same
    time; worker ``i`` gets ``TF_CONFIG`` = :func:`tf_config` (ports, i), and
    ``TF_CPP_MIN_LOG_LEVEL=3`` unless that is already set, so TensorFlow's
    C++ log stays quiet, and ``PYTHONUNBUFFERED=1``, so what a worker
    printed before it was stopped is not lost. ``env`` adds or replaces environment variables for
    all of them. Their output is captured, not shown.

    Returns a list of :class:`WorkerResult`, one per worker in index order,
    when every worker has exited with status 0.

    Raises :class:`WorkerError` as soon as one worker exits with another
    status (a worker of a cluster whose peer failed would otherwise wait for
    it), or when ``timeout`` seconds pass first. Either way, and on any other
    exception raised during the call (Ctrl-C, the kernel's stop button),
    every worker is stopped before the call returns or raises: each runs in
    a process group of its own, and every group still running gets SIGTERM,
    ``grace`` seconds to end, then SIGKILL, which also ends any process a
    worker started in its group. Raises ``FileNotFoundError`` when
    ``script`` does not exist and ``ValueError`` when ``n`` is less than 1.

    What this cannot cover: if the calling process itself is killed (SIGKILL,
    a crash, a kernel the notebook restarts by force), none of that cleanup
    runs. On Linux each worker then gets SIGKILL from the operating system
    (``PR_SET_PDEATHSIG``), but processes a worker started may be left
    running; on other systems the workers may be left running too.
    Introduced in chapter 13, Going further.
    """
    script = Path(script)
    if not script.is_file():
        raise FileNotFoundError(f"no worker script at {script}: write it first (the chapter's %%writefile cell)")
    if n < 1:
        raise ValueError(f"expected at least 1 worker; got n={n}")
    ports = free_ports(n)
    workers: list[_Worker] = []
    try:
        for index in range(n):
            worker_env = {**os.environ, **(env or {}), "TF_CONFIG": json.dumps(tf_config(ports, index))}
            worker_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            worker_env.setdefault("PYTHONUNBUFFERED", "1")  # output written so far survives a kill
            workers.append(_Worker.start(index, [sys.executable, str(script)], worker_env))
        outcome = _wait(workers, time.monotonic() + timeout)
    finally:
        try:
            _stop(workers, grace)
        finally:
            # Reads and closes every worker's output files, also when an
            # exception is on its way up (then the results are dropped).
            results = [worker.result() for worker in workers]
    if outcome == "timeout":
        raise WorkerError(
            f"{_names(sorted(_late(workers)))} still running after {timeout:g} s, so every worker was stopped "
            "(SIGTERM, then SIGKILL). If training simply needs longer, raise `timeout`; "
            "if a worker waits for a peer that never came, look at the output in `error.results`.",
            results,
        )
    if outcome == "failed":
        failed = [r for r in results if r.index in _failed(workers)]
        details = "\n".join(
            f"--- worker {r.index} (exit code {r.returncode}), last lines of its error output:\n"
            + (_tail(r.stderr) or "(nothing)")
            for r in failed
        )
        raise WorkerError(
            f"{_names([r.index for r in failed])} failed, so the other workers were stopped.\n{details}",
            results,
        )
    return results


# --------------------------------------------------------------------------
# Process handling
# --------------------------------------------------------------------------


class _Worker:
    """One started worker: its process, the files its output goes to, and how it ended."""

    def __init__(self, index: int, proc: subprocess.Popen, out, err, started: float):
        self.index, self.proc, self.out, self.err, self.started = index, proc, out, err, started
        self.ended: float | None = None
        self.stopped = False  # True when _stop had to signal it

    @classmethod
    def start(cls, index: int, command: list[str], env: dict[str, str]) -> _Worker:
        # Temporary files, not pipes: a worker that writes a lot never blocks on a full pipe.
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, **_child_options()
            )
        except BaseException:
            out.close()
            err.close()
            raise
        return cls(index, proc, out, err, time.monotonic())

    def poll(self) -> int | None:
        code = self.proc.poll()
        if code is not None and self.ended is None:
            self.ended = time.monotonic()
        return code

    def result(self) -> WorkerResult:
        texts = []
        for f in (self.out, self.err):
            try:
                f.seek(0)
                texts.append(f.read().decode("utf-8", errors="replace"))
            finally:
                f.close()
        seconds = (self.ended or time.monotonic()) - self.started
        return WorkerResult(self.index, self.proc.pid, self.proc.returncode, texts[0], texts[1], round(seconds, 1))


def _linux_prctl():
    """libc's ``prctl`` on Linux, or None elsewhere (or when libc cannot be loaded)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a Linux without a usable libc
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _linux_prctl()  # looked up here, in the parent: the child only calls it
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """Runs in the new worker before it starts the script: SIGKILL it when its parent dies.

    Covers a calling process that is itself killed, when run_workers' own
    cleanup cannot run. The "parent" is the thread that started the worker;
    run_workers waits for its workers on that thread, so it outlives them.
    If the parent (pid ``parent``) died before this call, the worker ends
    itself at once.
    """
    _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


if os.name == "posix":

    def _child_options() -> dict:
        options: dict = {"start_new_session": True}  # a session, hence a process group, of its own
        if _PRCTL is not None:  # Linux
            options["preexec_fn"] = functools.partial(_die_with_parent, os.getpid())
        return options

    def _signal_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)  # the group's id is the worker's pid
        except (ProcessLookupError, PermissionError):
            pass  # the group has no process left

else:  # pragma: no cover - Windows: no process groups to signal; end the worker itself
    def _child_options() -> dict:
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}

    def _signal_group(proc: subprocess.Popen, sig: int) -> None:
        if proc.poll() is None:
            proc.kill() if sig == getattr(signal, "SIGKILL", None) else proc.terminate()


def _wait(workers: list[_Worker], deadline: float) -> str:
    """Wait until every worker succeeded ("done"), one failed ("failed") or the deadline ("timeout")."""
    while True:
        codes = [worker.poll() for worker in workers]
        if any(code not in (None, 0) for code in codes):
            return "failed"
        if all(code == 0 for code in codes):
            return "done"
        if time.monotonic() >= deadline:
            return "timeout"
        time.sleep(0.05)


def _stop(workers: list[_Worker], grace: float) -> None:
    """End every worker's process group: SIGTERM to the running ones, ``grace`` seconds, SIGKILL to all."""
    for worker in workers:
        if worker.poll() is None:
            worker.stopped = True
            _signal_group(worker.proc, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for worker in workers:
        try:
            worker.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for worker in workers:
        # Also for workers that have exited: anything they started and left
        # behind in their group goes too. Safe although the worker may be
        # reaped already: the group keeps the worker's pid as its id, and the
        # system gives no new process a pid still in use as a group's id; an
        # empty group is simply not found (ESRCH, ignored).
        _signal_group(worker.proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        worker.proc.wait()
        worker.poll()


def _late(workers: list[_Worker]) -> set[int]:
    return {worker.index for worker in workers if worker.stopped}


def _failed(workers: list[_Worker]) -> set[int]:
    return {worker.index for worker in workers if not worker.stopped and worker.proc.returncode != 0}


def _names(indexes: list[int]) -> str:
    if len(indexes) == 1:
        return f"worker {indexes[0]}"
    return "workers " + ", ".join(map(str, indexes[:-1])) + f" and {indexes[-1]}"


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
