"""CI's proof of the README's first command: ``python3 dev.py run`` on its embedded default.

Starts it on free ports (``PORT``, ``LOCALSTRIPE_PORT``) with no database, broker or cache in
the environment, waits for it, fetches /, /shop/, a product page and /donate/ (each must be
200), checks that it printed the logins and the URL it serves, then stops it by its PID with
SIGTERM and checks that the web server and localstripe stopped with it. Standard library only.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "test-output" / "smoke-run.log"
START_TIMEOUT = 600  # a first run installs the lock file, migrates and loads the demo data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def fail(proc: subprocess.Popen, message: str) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    tail = LOG.read_text(errors="replace")[-4000:] if LOG.exists() else ""
    sys.exit(f"smoke run FAILED: {message}\n--- last lines of {LOG} ---\n{tail}")


def main() -> None:
    port, stripe_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "MENDED_REQUIRE_SERVICES", "SITE_URL")}
    env.update(PORT=str(port), LOCALSTRIPE_PORT=str(stripe_port), PYTHONUNBUFFERED="1")
    LOG.parent.mkdir(exist_ok=True)
    site = f"http://127.0.0.1:{port}"
    with open(LOG, "wb") as log:
        # A session of its own, as a terminal would give it; only dev.py's PID is signalled.
        proc = subprocess.Popen([sys.executable, "dev.py", "run"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while not listening(port):
        if proc.poll() is not None:
            fail(proc, f"dev.py run exited with {proc.returncode} before serving")
        if time.monotonic() > deadline:
            fail(proc, f"nothing served on port {port} after {START_TIMEOUT} s")
        time.sleep(1)

    status, shop = get(f"{site}/shop/")
    slugs = re.findall(r'href="/shop/product/([-\w]+)/"', shop)
    pages = ["/", "/shop/", f"/shop/product/{slugs[0]}/" if slugs else "/shop/product/(none listed)/", "/donate/"]
    for path in pages:
        status, _ = get(site + path)
        print(f"  GET {path} -> {status}", flush=True)
        if status != 200:
            fail(proc, f"GET {path} answered {status}")

    printed = LOG.read_text(errors="replace")
    for line in printed.splitlines():  # dev.py's own steps: the lock install, migrate, demo, serve
        if "==> " in line:
            print("  dev.py run: " + re.sub(r"\x1b\[[0-9;]*m", "", line).split("==> ", 1)[1], flush=True)
    for expected in ("Logins (password for all:", f"Serving Mended at {site}/"):
        if expected not in printed:
            fail(proc, f"dev.py run did not print {expected!r}")
    if ":8000" in printed:
        fail(proc, f"dev.py run printed port 8000 although it serves {port}")

    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        fail(proc, "dev.py run did not stop within 30 s of SIGTERM")
    time.sleep(1)
    left = [name for name, p in (("the web server", port), ("localstripe", stripe_port)) if listening(p)]
    if left:
        fail(proc, f"after SIGTERM to dev.py run, {' and '.join(left)} still listen")
    print(f"==> dev.py run served {len(pages)} pages on port {port} and stopped cleanly on SIGTERM", flush=True)


if __name__ == "__main__":
    main()
