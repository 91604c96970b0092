"""The shop's admin, one module per domain; importing them here registers every model
(Django's autodiscovery imports ``shop.admin``)."""
from shop.admin import (  # noqa: F401
    accounts, audit, catalog, circles, discounts, events, giftcards, gifts, giving, orders, payments, rates, surtax,
)
