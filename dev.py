#!/usr/bin/env python3
"""Mended's two commands, for a bare clone with only python3:

    python3 dev.py run     set up, migrate, load demo data, start localstripe, serve :8000
    python3 dev.py test    set up and run the whole test suite (extra args go to pytest)
    python3 dev.py bench   run the benchmarks in tests/bench (not part of the test suite)
    python3 dev.py load    the load run: locust against gunicorn, PostgreSQL, Redis, a worker

Both create ``.venv`` and install the project's dependencies from pyproject.toml the
first time (and again whenever pyproject.toml changes). Standard library only.
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("MENDED_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"
STAMP = VENV / ".mended-installed"
LOCALSTRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", "8420"))


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


def requirements(with_dev: bool, extras: tuple[str, ...] = ()) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in (("dev",) if with_dev else ()) + extras:
        reqs += project["optional-dependencies"][extra]
    return reqs


def ensure_venv(with_dev: bool, extras: tuple[str, ...] = ()) -> None:
    """Create the virtual environment and install what pyproject.toml asks for, once."""
    wanted = hashlib.sha256(((ROOT / "pyproject.toml").read_bytes() + str((with_dev, *extras)).encode())).hexdigest()
    installed = STAMP.read_text().split() if STAMP.exists() else []
    if wanted in installed:
        return
    if not PY.exists():
        say(f"Creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("Installing dependencies (first run only)")
    subprocess.run([str(PY), "-m", "pip", "install", "-qq", *requirements(with_dev, extras)], check=True)
    STAMP.write_text(" ".join(installed + [wanted]))


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PY), "manage.py", *args], cwd=ROOT, check=True, env=env)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def start_localstripe() -> subprocess.Popen | None:
    if port_open(LOCALSTRIPE_PORT):
        say(f"localstripe already answers on port {LOCALSTRIPE_PORT}; using it")
        return None
    say(f"Starting localstripe (the Stripe stand-in) on port {LOCALSTRIPE_PORT}")
    log = open(ROOT / ".run-localstripe.log", "ab")
    proc = subprocess.Popen(
        [str(VENV / "bin" / "localstripe"), "--port", str(LOCALSTRIPE_PORT)], stdout=log, stderr=log
    )
    for _ in range(100):
        if port_open(LOCALSTRIPE_PORT):
            return proc
        time.sleep(0.1)
    proc.terminate()
    sys.exit("localstripe did not start; see .run-localstripe.log")


def run() -> None:
    ensure_venv(with_dev=True)  # localstripe is a dev dependency
    env = {**os.environ, "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", f"http://127.0.0.1:{LOCALSTRIPE_PORT}")}
    say("Migrating the database")
    manage("migrate", "--noinput", env=env)
    say("Loading demo data")
    manage("seed_demo", env=env)
    stripe_proc = start_localstripe()
    manage("configure_localstripe", f"--site=http://127.0.0.1:{os.environ.get('PORT', '8000')}", env=env)
    port = os.environ.get("PORT", "8000")
    say(f"Serving Mended at http://127.0.0.1:{port}/  (staff: /admin/; Ctrl-C stops)")
    server = subprocess.Popen([str(PY), "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=ROOT, env=env)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        server.wait()
    finally:
        if stripe_proc is not None:
            stripe_proc.terminate()


def test(args: list[str]) -> int:
    ensure_venv(with_dev=True)
    say("Running the test suite")
    return subprocess.call([str(PY), "-m", "pytest", *args], cwd=ROOT)


def bench(args: list[str]) -> int:
    ensure_venv(with_dev=True)
    say("Running the benchmarks")
    return subprocess.call([str(PY), "-m", "tests.bench", *args], cwd=ROOT)


def load(args: list[str]) -> int:
    ensure_venv(with_dev=True, extras=("load",))  # locust is needed only here
    say("The load run (PostgreSQL, Redis, gunicorn, a Celery worker, localstripe, locust)")
    return subprocess.call([str(PY), "-m", "tests.load", *args], cwd=ROOT)


def main() -> None:
    os.chdir(ROOT)
    command, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "run":
        run()
    elif command == "test":
        sys.exit(test(rest))
    elif command == "bench":
        sys.exit(bench(rest))
    elif command == "load":
        sys.exit(load(rest))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
