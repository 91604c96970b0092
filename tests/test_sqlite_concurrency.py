"""The embedded default (SQLite) must make concurrent requests wait, never fail.

On 2026-12-06 a monthly gift made in the browser lost its first charge: localstripe's
``invoice.payment_succeeded`` webhook got a 500 "database is locked" while the pay page's own
request held the write lock, so no gift, no receipt. The scenario runs in a process of its
own on a SQLite file with the project's settings (``tests/support/webhook_race.py``), whatever
database the rest of the suite uses.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_race(tmp_path, options: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}", EMAIL_URL="memorymail://",
               MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "private"))
    done = subprocess.run([sys.executable, "-m", "tests.support.webhook_race"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"the race script printed no result:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def test_webhook_during_another_write_waits_and_records_the_monthly_gift(tmp_path):
    result = run_race(tmp_path)
    assert result == {
        "status": 200,
        "events_stored": 1,
        "gift_status": "paid",
        "receipts": 1,
        "monthly_status": "active",
    }


def test_embedded_sqlite_takes_the_write_lock_up_front_and_waits_for_it():
    # The settings the race above depends on, read as Django will use them for SQLite.
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 10
    assert "journal_mode=WAL" in settings.SQLITE_OPTIONS["init_command"]
