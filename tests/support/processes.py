"""Helpers for the integration tests: real child processes, and polling with a deadline.

``CeleryWorker`` and ``LocalstripeServer`` wrap a child process whose stdout and stderr go
to a log file; every failure message they raise carries the tail of that log. The fixtures
in ``conftest.py`` create one of each per test session; tests get them through the
``celery_worker_process`` and ``localstripe_server`` fixtures and may use the helpers here:

- ``wait_for(condition, timeout=..., message=..., details=...)``: poll until truthy, or fail.
- ``capture_tasks()``: record the Celery tasks this (test) process publishes, and any it
  runs itself (which in an integration test it never should).
- ``CeleryWorker.log_mark()`` / ``log_since(mark)`` / ``wait_task_succeeded(id)`` /
  ``barrier()`` / ``kill()`` / ``restart()`` / ``ensure_running()``.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The virtualenv running pytest also holds the celery and localstripe entry points.
VENV_BIN = Path(sys.executable).parent

WORKER_START_TIMEOUT = float(os.environ.get("MENDED_WORKER_START_TIMEOUT", "60"))
LOCALSTRIPE_START_TIMEOUT = float(os.environ.get("MENDED_LOCALSTRIPE_START_TIMEOUT", "30"))
STOP_TIMEOUT = 15.0
TASK_TIMEOUT = 30.0
LOG_TAIL_LINES = 80

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T],
    *,
    timeout: float = TASK_TIMEOUT,
    interval: float = 0.1,
    message: str = "a condition",
    details: Callable[[], str] | None = None,
) -> T:
    """Call ``condition`` until it returns something truthy and return that value.

    Fails the test (never skips) after ``timeout`` seconds, saying what it waited for and
    appending ``details()``, e.g. ``worker.describe``, the tail of a process's log.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            extra = f"\n\n{details()}" if details else ""
            pytest.fail(f"timed out after {timeout:g}s waiting for {message}{extra}", pytrace=False)
        time.sleep(min(interval, remaining))


def free_port() -> int:
    """A TCP port nothing listens on right now (on all addresses, as localstripe binds)."""
    family, host = (socket.AF_INET6, "::") if socket.has_ipv6 else (socket.AF_INET, "")
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def postgres_url(database: dict[str, Any]) -> str:
    """A ``postgres://`` URL for a Django ``DATABASES`` entry (django-environ reads it back)."""
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "127.0.0.1"  # TCP; a socket directory is not handled
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(str(database['NAME']), safe='')}"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the child if pytest itself dies without tearing down."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


class ManagedProcess:
    """A child process whose combined output is appended to ``log_path``."""

    def __init__(self, name: str, argv: list[str], *, log_path: Path, env: dict[str, str], cwd: Path = PROJECT_ROOT):
        self.name, self.argv, self.log_path, self.env, self.cwd = name, argv, Path(log_path), env, cwd
        self.process: subprocess.Popen | None = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------------------
    def spawn(self) -> None:
        if self.alive:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"===== [pytest] start #{self.starts}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._note(f"did not exit {timeout:g}s after SIGTERM; sending SIGKILL")
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)
        return self.process.returncode

    def kill(self) -> int | None:
        """SIGKILL at once (a crash: no warm shutdown, no acknowledgement)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)
        self._note("killed with SIGKILL by the test")
        return self.process.returncode

    # -- the log -----------------------------------------------------------------------
    def _note(self, text: str) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"===== [pytest] {text}\n".encode())

    def log_text(self) -> str:
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_mark(self) -> int:
        """An offset into the log; ``log_since(mark)`` returns what was written after it."""
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, mark: int) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(mark)
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def describe(self) -> str:
        """State and recent log, for failure messages."""
        if self.process is None:
            state = "never started"
        elif self.process.poll() is None:
            state = f"running, pid {self.pid}"
        else:
            state = f"exited with {self.process.returncode}, pid was {self.pid}"
        return f"{self.name} ({state}); last lines of {self.log_path}:\n{self.log_tail()}"

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n\n{self.describe()}", pytrace=False)


class CeleryWorker(ManagedProcess):
    """``celery -A config worker`` consuming one queue, with the solo pool."""

    def __init__(self, *, queue: str, env: dict[str, str], log_path: Path, loglevel: str = "INFO"):
        self.queue = queue
        self.nodename = f"{queue}@{socket.gethostname()}"
        argv = [
            str(VENV_BIN / "celery"), "-A", "config", "worker",
            "--pool=solo", "--concurrency=1", "--without-gossip", "--without-mingle",
            f"--loglevel={loglevel}", "-Q", queue, "-n", self.nodename,
        ]
        super().__init__("celery worker", argv, log_path=log_path, env=env)

    def start(self, timeout: float = WORKER_START_TIMEOUT) -> None:
        mark = self.log_mark()
        self.spawn()
        self.wait_ready(since=mark, timeout=timeout)

    def wait_ready(self, *, since: int = 0, timeout: float = WORKER_START_TIMEOUT) -> None:
        """Wait for the "ready." log line, then for an answer to a remote-control ping."""
        ready = re.compile(rf"{re.escape(self.nodename)} ready\.")
        deadline = time.monotonic() + timeout
        while not ready.search(self.log_since(since)):
            if not self.alive:
                self.fail("the Celery worker exited before it was ready")
            if time.monotonic() > deadline:
                self.fail(f"the Celery worker did not log 'ready' within {timeout:g}s")
            time.sleep(0.1)
        # The pidbox broadcast is fire-and-forget, so ask again until it is heard.
        while not self.ping():
            if not self.alive:
                self.fail("the Celery worker exited before answering a ping")
            if time.monotonic() > deadline:
                self.fail(f"the Celery worker did not answer a ping within {timeout:g}s")

    def ping(self, timeout: float = 1.0) -> bool:
        from config.celery import app

        replies = app.control.ping(destination=[self.nodename], timeout=timeout)
        return any(self.nodename in reply for reply in replies)

    def restart(self, timeout: float = WORKER_START_TIMEOUT, **extra_env: str) -> None:
        """Stop (SIGTERM, then SIGKILL) and start again, optionally with changed environment."""
        self.stop()
        self.env.update(extra_env)
        self.start(timeout)

    def ensure_running(self) -> None:
        """Start the worker again if an earlier test killed it (or it crashed)."""
        if not self.alive:
            if self.process is not None:
                self._note(f"worker had exited with {self.process.returncode}; starting it again")
            self.start()

    # -- reading what the worker did -----------------------------------------------------
    def task_lines(self, task_id: str, *, since: int = 0) -> list[str]:
        return [line for line in self.log_since(since).splitlines() if f"[{task_id}]" in line]

    def wait_task_succeeded(self, task_id: str, *, since: int = 0, timeout: float = TASK_TIMEOUT) -> str:
        """Wait for the worker to log "Task name[id] succeeded" and return that line.

        Fails at once if the worker logs the task as failed or if the worker dies.
        """

        def succeeded() -> str | None:
            for line in self.task_lines(task_id, since=since):
                if "] succeeded in " in line:
                    return line
                if "] raised unexpected" in line:
                    self.fail(f"task {task_id} failed in the worker")
            if not self.alive:
                self.fail(f"the worker died while waiting for task {task_id}")
            return None

        return wait_for(succeeded, timeout=timeout, message=f"task {task_id} to succeed in the worker", details=self.describe)

    def barrier(self, *, timeout: float = TASK_TIMEOUT) -> None:
        """Return once the worker has run everything published to its queue before the call.

        Sends a no-op built-in task (``celery.accumulate``) and waits for it: the queue is
        FIFO and the solo worker takes one message at a time.
        """
        from config.celery import app

        mark = self.log_mark()
        result = app.send_task("celery.accumulate", args=("barrier",), queue=self.queue)
        self.wait_task_succeeded(result.id, since=mark, timeout=timeout)

    def delete_queue(self) -> None:
        """Remove this session's queue (and any leftover messages) from the broker."""
        from config.celery import app

        # Kombu's Redis transport deletes only bindings its channel knows of: declare first.
        with app.connection_for_write() as connection:
            queue = app.amqp.queues[self.queue](connection.default_channel)
            queue.declare()
            queue.delete()


# localstripe saves its whole store to the hard-coded /tmp/localstripe.pickle on every
# change, which would overwrite the state of a developer's own localstripe (dev.py starts
# it without --from-scratch). The tests' server starts from scratch and keeps nothing.
_LOCALSTRIPE_LAUNCHER = (
    "import localstripe.resources as r; r.Store.dump_to_disk = lambda self: None; "
    "import localstripe.server as s; s.start()"
)


class LocalstripeServer(ManagedProcess):
    """``localstripe --port PORT --from-scratch`` (without persisting its store)."""

    def __init__(self, *, port: int, log_path: Path, env: dict[str, str]):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-c", _LOCALSTRIPE_LAUNCHER, "--port", str(port), "--from-scratch"]
        super().__init__("localstripe", argv, log_path=log_path, env=env)

    @property
    def js_url(self) -> str:
        return f"{self.base_url}/js.stripe.com/v3/"

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.js_url, timeout=1) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def start(self, timeout: float = LOCALSTRIPE_START_TIMEOUT) -> bool:
        """Spawn and wait until it answers; False if it exited first (say, port taken)."""
        self.spawn()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if not self.alive:
                return False
            if time.monotonic() > deadline:
                self.stop()
                self.fail(f"localstripe did not answer on port {self.port} within {timeout:g}s")
            time.sleep(0.1)
        return True


# -- what the test process itself does with tasks ---------------------------------------
@dataclass(frozen=True)
class PublishedTask:
    id: str
    name: str
    args: tuple
    kwargs: dict
    routing_key: str


@dataclass
class TaskCapture:
    published: list[PublishedTask] = field(default_factory=list)
    ran_locally: list[str] = field(default_factory=list)

    def named(self, name: str) -> list[PublishedTask]:
        return [task for task in self.published if task.name == name]

    def _on_publish(self, sender=None, body=None, headers=None, routing_key=None, **_):
        headers = headers or {}
        args, kwargs = (body[0], body[1]) if isinstance(body, (tuple, list)) else ((), {})
        self.published.append(PublishedTask(headers.get("id", ""), sender, tuple(args), dict(kwargs), routing_key or ""))

    def _on_prerun(self, sender=None, task_id=None, **_):
        self.ran_locally.append(f"{getattr(sender, 'name', sender)}[{task_id}]")


@contextlib.contextmanager
def capture_tasks() -> Iterator[TaskCapture]:
    """Record tasks this process publishes to the broker and any it runs in-process."""
    from celery.signals import after_task_publish, task_prerun

    capture = TaskCapture()
    after_task_publish.connect(capture._on_publish, weak=False)
    task_prerun.connect(capture._on_prerun, weak=False)
    try:
        yield capture
    finally:
        after_task_publish.disconnect(capture._on_publish)
        task_prerun.disconnect(capture._on_prerun)
