#!/usr/bin/env python3
"""Mended's commands, for a bare clone with only python3:

    python3 dev.py run     set up, migrate, load demo data, start localstripe, serve on $PORT (8000)
    python3 dev.py test    set up and run the whole test suite (extra args go to pytest)
    python3 dev.py bench   run the benchmarks in tests/bench (not part of the test suite)
    python3 dev.py load    the load run: locust against gunicorn, PostgreSQL, Redis, a worker
    python3 dev.py fuzz    the long hostile-input run: every value in every form field as every role
    python3 dev.py lock    regenerate the lock files in requirements/ from pyproject.toml
                           (--upgrade: take the newest versions pyproject.toml allows)

Each creates ``.venv`` (or ``$MENDED_VENV``) and installs the exact versions in the lock file
``requirements/dev.txt`` (``requirements/load.txt`` for the load run) with pip's
``--require-hashes``, so every clone on every day gets the packages CI got. It installs again
only when the lock file changes. Standard library only.
"""
from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("MENDED_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"
STAMP = VENV / ".mended-installed"
LOCKS = ROOT / "requirements"
# The lock tool, pinned so that `dev.py lock` itself gives the same answer on every machine.
UV = "uv==0.13.8"
# What each lock file holds: pyproject.toml's extras on top of the runtime dependencies.
LOCK_FILES = {"base.txt": (), "dev.txt": ("dev",), "load.txt": ("dev", "load")}


def say(text: str) -> None:
    print(f"\033[1m==> {text}\033[0m", flush=True)


def port() -> int:
    return int(os.environ.get("PORT", "8000"))


def localstripe_port() -> int:
    return int(os.environ.get("LOCALSTRIPE_PORT", "8420"))


def ensure_venv(lock: str = "dev.txt") -> None:
    """Create the virtual environment and install the lock file's exact, hash-checked versions."""
    lock_file = LOCKS / lock
    wanted = hashlib.sha256(lock_file.read_bytes()).hexdigest()
    installed = STAMP.read_text().split() if STAMP.exists() else []
    if wanted in installed:
        return
    if not PY.exists():
        say(f"Creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say(f"Installing the locked dependencies from requirements/{lock} (exact versions, hashes checked)")
    subprocess.run(
        [str(PY), "-m", "pip", "install", "-qq", "--disable-pip-version-check", "--require-hashes",
         "-r", str(lock_file)],
        check=True,
    )
    STAMP.write_text(" ".join(installed + [wanted]))


def lock(args: list[str]) -> int:
    """Regenerate requirements/*.txt. Existing pins are kept unless --upgrade is given."""
    ensure_venv()
    subprocess.run([str(PY), "-m", "pip", "install", "-qq", "--disable-pip-version-check", UV], check=True)
    uv = [str(PY), "-m", "uv", "pip", "compile", "pyproject.toml", "--universal", "--python-version", "3.11",
          "--generate-hashes", "--quiet", *args]
    # load.txt holds everything; the smaller files are constrained to it, so all three agree.
    order = ["load.txt", "dev.txt", "base.txt"]
    for name in order:
        extras = [arg for extra in LOCK_FILES[name] for arg in ("--extra", extra)]
        constraint = [] if name == "load.txt" else ["--constraint", "requirements/load.txt"]
        say(f"Locking requirements/{name}")
        if subprocess.call([*uv, *extras, *constraint, "-o", f"requirements/{name}"], cwd=ROOT) != 0:
            return 1
    say("Done. Review `git diff requirements/`, run `python3 dev.py test`, and commit the lock with the change.")
    return 0


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PY), "manage.py", *args], cwd=ROOT, check=True, env=env)


def port_open(number: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, number)) == 0


def start(args: list[str], env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    """A child in a process group of its own, so that stopping it stops its children too
    (runserver's autoreloader runs the server in a second process)."""
    out = open(log, "ab") if log else None
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def start_localstripe() -> subprocess.Popen | None:
    number = localstripe_port()
    if port_open(number):
        say(f"localstripe already answers on port {number}; using it")
        return None
    say(f"Starting localstripe (the Stripe stand-in) on port {number}")
    log = ROOT / ".run-localstripe.log"
    for extra in ([], ["--from-scratch"]):
        seen = log.stat().st_size if log.exists() else 0
        proc = start([str(VENV / "bin" / "localstripe"), "--port", str(number), *extra], log=log)
        for _ in range(100):
            if port_open(number):
                return proc
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        stop(proc)
        # localstripe keeps its objects in /tmp/localstripe.pickle, which every localstripe on the
        # machine rewrites; one cut short by another process stops it from starting.
        said = log.read_bytes()[seen:].decode(errors="replace") if log.exists() else ""
        if extra or not any(word in said for word in ("UnpicklingError", "EOFError")):
            break
        say("localstripe's saved objects (/tmp/localstripe.pickle) are unreadable; starting it afresh")
    sys.exit("localstripe did not start; see .run-localstripe.log")


def run() -> None:
    ensure_venv()  # localstripe is a dev dependency
    site = f"http://127.0.0.1:{port()}"
    env = {
        **os.environ,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", f"http://127.0.0.1:{localstripe_port()}"),
        # Links in e-mails and printed URLs name the port actually served.
        "SITE_URL": os.environ.get("SITE_URL", site),
    }
    say("Migrating the database")
    manage("migrate", "--noinput", env=env)
    say("Loading demo data")
    manage("seed_demo", env=env)
    stripe_proc = start_localstripe()
    server = None

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)

    # Ctrl-C, a closed terminal or `kill PID` all stop the server and localstripe with us.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, terminate)
    try:
        manage("configure_localstripe", f"--site={site}", env=env)
        say(f"Serving Mended at {site}/  (staff: {site}/admin/; Ctrl-C stops)")
        server = start([str(PY), "manage.py", "runserver", f"127.0.0.1:{port()}"], env=env)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(server)
        stop(stripe_proc)


def test(args: list[str]) -> int:
    ensure_venv()
    say("Running the test suite")
    return subprocess.call([str(PY), "-m", "pytest", *args], cwd=ROOT)


def bench(args: list[str]) -> int:
    ensure_venv()
    say("Running the benchmarks")
    return subprocess.call([str(PY), "-m", "tests.bench", *args], cwd=ROOT)


def load(args: list[str]) -> int:
    ensure_venv("load.txt")  # locust is needed only here
    say("The load run (PostgreSQL, Redis, gunicorn, a Celery worker, localstripe, locust)")
    return subprocess.call([str(PY), "-m", "tests.load", *args], cwd=ROOT)


def fuzz(args: list[str]) -> int:
    """The fuzzer's long run (the suite runs a bounded one); MENDED_FUZZ_EXAMPLES sets its size."""
    ensure_venv()
    say("The long hostile-input run (tests/hostile/test_fuzz_forms.py); this takes an hour or more")
    env = {**os.environ, "MENDED_FUZZ_EXAMPLES": os.environ.get("MENDED_FUZZ_EXAMPLES", "500")}
    return subprocess.call([str(PY), "-m", "pytest", "tests/hostile/test_fuzz_forms.py", "-q", "-p", "no:cacheprovider",
                            *args], cwd=ROOT, env=env)


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
    elif command == "fuzz":
        sys.exit(fuzz(rest))
    elif command == "lock":
        sys.exit(lock(rest))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
