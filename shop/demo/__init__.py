"""The demo data (``manage.py seed_demo``), one module per domain."""
from shop.demo.catalog import DEMO_PASSWORD, seed_demo

__all__ = ["DEMO_PASSWORD", "seed_demo"]
