"""Which real services this run can reach (used to decide what runs, never to skip quietly)."""
import os
import socket
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    """Whether a TCP connection to the URL's host and port opens within 2 s."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def missing_services() -> list[str]:
    db, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    missing = []
    if not db.startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL does not name PostgreSQL")
    elif not reachable(db, 5432):
        missing.append(f"PostgreSQL at {urlparse(db).hostname}:{urlparse(db).port or 5432} is unreachable")
    if not broker.startswith("redis://"):
        missing.append("CELERY_BROKER_URL does not name Redis")
    elif not reachable(broker, 6379):
        missing.append(f"Redis at {urlparse(broker).hostname}:{urlparse(broker).port or 6379} is unreachable")
    return missing
