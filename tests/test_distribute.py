"""mnistbook.distribute: free ports, TF_CONFIG, and worker processes that never outlive the call.

The worker scripts here are tiny and import no TensorFlow, so the tests take
seconds. Each script writes its pid (and the pid of any process it starts)
into a file next to it, so a test can check that every process it started is
gone when run_workers returns or raises.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from mnistbook import distribute
from mnistbook.distribute import WorkerError, free_ports, run_workers, tf_config

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with ipykernel
    psutil = None


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

#: Prepended to every worker script: records this process's pid next to the script.
PRELUDE = """\
import json, os, signal, subprocess, sys, time
from pathlib import Path
HERE = Path(__file__).parent
INDEX = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
(HERE / f"pid-{INDEX}").write_text(str(os.getpid()))

def start_grandchild():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (HERE / f"grandchild-{INDEX}").write_text(str(child.pid))
"""


def worker_script(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "worker.py"
    script.write_text(PRELUDE + body)
    return script


def started_pids(tmp_path: Path) -> list[int]:
    """Every pid the workers recorded (workers and the processes they started)."""
    return [int(p.read_text()) for p in sorted(tmp_path.glob("pid-*")) + sorted(tmp_path.glob("grandchild-*"))]


def is_running(pid: int) -> bool:
    """True while ``pid`` is a live process; a zombie (dead, not yet reaped by its parent) is not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    if psutil is not None:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:  # pragma: no cover - no /proc: trust os.kill
        return True


def assert_all_gone(pids: list[int], wait: float = 5.0) -> None:
    # SIGKILL is delivered at once, but a process takes a moment to be torn down.
    deadline = time.monotonic() + wait
    while any(is_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if is_running(pid)], f"processes left behind: {pids}"


# --------------------------------------------------------------------------
# free_ports and tf_config
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5])
def test_free_ports_are_distinct_and_bindable_on_localhost(n):
    ports = free_ports(n)
    assert len(ports) == n == len(set(ports))
    assert all(isinstance(port, int) and 1024 <= port <= 65535 for port in ports)
    sockets = []
    try:
        for port in ports:  # all at once: each is free, and none is another's
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", port))
    finally:
        for sock in sockets:
            sock.close()


def test_free_ports_needs_at_least_one():
    with pytest.raises(ValueError, match="at least 1 port"):
        free_ports(0)


def test_tf_config_names_every_worker_on_localhost_and_this_task():
    config = tf_config([4001, 4002], 1)
    assert config == {
        "cluster": {"worker": ["127.0.0.1:4001", "127.0.0.1:4002"]},
        "task": {"type": "worker", "index": 1},
    }
    assert json.loads(json.dumps(config)) == config  # what TF_CONFIG holds


@pytest.mark.parametrize("index", [-1, 2])
def test_tf_config_rejects_an_index_outside_the_cluster(index):
    with pytest.raises(ValueError, match="expected a worker index from 0 to 1; got"):
        tf_config([4001, 4002], index)


def test_the_package_exports_the_helpers():
    import mnistbook

    assert mnistbook.run_workers is run_workers is distribute.run_workers
    assert mnistbook.free_ports is free_ports and mnistbook.tf_config is tf_config
    assert mnistbook.WorkerError is WorkerError


# --------------------------------------------------------------------------
# run_workers
# --------------------------------------------------------------------------


def test_run_workers_returns_every_workers_output_in_index_order(tmp_path):
    script = worker_script(tmp_path, """
config = json.loads(os.environ["TF_CONFIG"])
print(INDEX, config["cluster"]["worker"][INDEX], os.environ["TF_CPP_MIN_LOG_LEVEL"],
      os.environ.get("EXTRA"))
print("a warning", file=sys.stderr)
""")
    results = run_workers(script, n=2, timeout=60, env={"EXTRA": "yes"})
    assert [r.index for r in results] == [0, 1]
    assert [r.returncode for r in results] == [0, 0]
    addresses = []
    for r in results:
        index, address, level, extra = r.stdout.split()
        assert (int(index), level, extra) == (r.index, "3", "yes")
        assert address.startswith("127.0.0.1:")
        addresses.append(address)
        assert r.stderr == "a warning\n"  # captured apart from stdout
        assert r.seconds >= 0
    assert len(set(addresses)) == 2
    assert_all_gone(started_pids(tmp_path))


def test_run_workers_reads_large_outputs_without_blocking(tmp_path):
    script = worker_script(tmp_path, 'sys.stdout.write("x" * 3_000_000)\n')
    results = run_workers(script, n=2, timeout=60)
    assert [len(r.stdout) for r in results] == [3_000_000, 3_000_000]


def test_a_failing_worker_raises_at_once_and_leaves_no_process_behind(tmp_path):
    # Worker 0 waits for a peer that has failed, as a real worker would. Worker 1
    # fails once worker 0 and both processes they start are running.
    script = worker_script(tmp_path, """
start_grandchild()
if INDEX == 1:
    deadline = time.monotonic() + 60
    while not (HERE / "grandchild-0").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    sys.exit("boom: no data here")
time.sleep(600)
""")
    start = time.monotonic()
    with pytest.raises(WorkerError) as caught:
        run_workers(script, n=2, timeout=120, grace=2)
    assert time.monotonic() - start < 90, "run_workers waited for the timeout instead of stopping"
    message = str(caught.value)
    assert message.splitlines()[0] == "worker 1 failed, so the other workers were stopped."
    assert "worker 1 (exit code 1)" in message and "boom: no data here" in message
    codes = {r.index: r.returncode for r in caught.value.results}
    assert codes[1] == 1 and codes[0] < 0  # worker 0 was stopped by a signal
    pids = started_pids(tmp_path)
    assert len(pids) == 4  # two workers, two processes they started
    assert {r.pid for r in caught.value.results} <= set(pids)
    assert_all_gone(pids)


def test_a_hanging_worker_is_killed_after_the_timeout_and_leaves_no_process_behind(tmp_path):
    # Worker 1 ignores SIGTERM, so only SIGKILL ends it; both started a process of their own.
    script = worker_script(tmp_path, """
start_grandchild()
if INDEX == 1:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("started", flush=True)
time.sleep(600)
""")
    start = time.monotonic()
    with pytest.raises(WorkerError) as caught:
        run_workers(script, n=2, timeout=6, grace=1)  # time enough to start, even on a busy machine
    elapsed = time.monotonic() - start
    assert 6 <= elapsed < 40, elapsed
    assert str(caught.value).startswith("workers 0 and 1 still running after 6 s, so every worker was stopped")
    results = caught.value.results
    assert [r.stdout for r in results] == ["started\n", "started\n"]  # output so far is kept
    assert all(r.returncode < 0 for r in results)
    pids = started_pids(tmp_path)
    assert len(pids) == 4
    assert {r.pid for r in results} <= set(pids)
    assert_all_gone(pids)


def test_processes_a_successful_worker_leaves_behind_are_ended(tmp_path):
    script = worker_script(tmp_path, "start_grandchild()\n")
    run_workers(script, n=2, timeout=60)
    pids = started_pids(tmp_path)
    assert len(pids) == 4
    assert_all_gone(pids)


def test_run_workers_checks_its_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="no worker script at"):
        run_workers(tmp_path / "missing.py")
    script = worker_script(tmp_path, "")
    with pytest.raises(ValueError, match="at least 1 worker"):
        run_workers(script, n=0)


def test_an_interrupted_call_stops_the_workers_and_closes_their_files(tmp_path, monkeypatch):
    # Ctrl-C while waiting: the workers are stopped and their output files closed.
    script = worker_script(tmp_path, "time.sleep(600)\n")
    started = []
    real_start = distribute._Worker.start

    def start(*args, **kwargs):
        worker = real_start(*args, **kwargs)
        started.append(worker)
        return worker

    def interrupted_wait(workers, deadline):
        limit = time.monotonic() + 60
        while len(list(tmp_path.glob("pid-*"))) < len(workers) and time.monotonic() < limit:
            time.sleep(0.05)
        raise KeyboardInterrupt

    monkeypatch.setattr(distribute._Worker, "start", start)
    monkeypatch.setattr(distribute, "_wait", interrupted_wait)
    with pytest.raises(KeyboardInterrupt):
        run_workers(script, n=2, timeout=60, grace=1)
    assert len(started) == 2
    assert all(worker.out.closed and worker.err.closed for worker in started)
    pids = started_pids(tmp_path)
    assert len(pids) == 2
    assert_all_gone(pids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_workers_die_with_a_killed_caller_on_linux(tmp_path):
    # The caller (a stand-in for a notebook kernel) is killed with SIGKILL, so
    # run_workers' own cleanup never runs: the operating system ends the workers.
    import signal
    import subprocess

    script = worker_script(tmp_path, "time.sleep(600)\n")
    caller = subprocess.Popen([sys.executable, "-c", (
        "import importlib.util, sys\n"  # distribute.py alone: no TensorFlow to import
        f"spec = importlib.util.spec_from_file_location('d', {distribute.__file__!r})\n"
        "d = sys.modules['d'] = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(d)\n"
        f"d.run_workers({str(script)!r}, n=2, timeout=120)\n"
    )])
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("pid-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = started_pids(tmp_path)
        assert len(pids) == 2 and all(is_running(pid) for pid in pids)
        caller.send_signal(signal.SIGKILL)
        caller.wait()
        assert_all_gone(pids)
    finally:
        if caller.poll() is None:
            caller.kill()
            caller.wait()
