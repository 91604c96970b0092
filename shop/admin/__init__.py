"""The shop's admin, one module per domain; importing them here registers every model
(Django's autodiscovery imports ``shop.admin``)."""
from shop.admin import accounts, audit, catalog, circles, events, gifts, giving, orders, payments, rates  # noqa: F401
