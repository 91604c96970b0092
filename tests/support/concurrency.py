"""Helpers for the PostgreSQL concurrency tests (tests/integration): many callers at once."""
import threading
from decimal import Decimal

from django.db import connection

from shop.models import Cart, CartLine
from tests.support.factories import VariantFactory


def one_product_carts(count: int, price: Decimal):
    """``count`` products of one variant each (stock 1, at ``price``) and a cart holding one of
    each: no stock row is shared, so only the lock under test can serialise the checkouts.
    Returns ``(variants, carts)``."""
    variants = [VariantFactory(price=price, stock=1) for _ in range(count)]
    carts = []
    for variant in variants:
        cart = Cart.objects.create()
        CartLine.objects.create(cart=cart, variant=variant, quantity=1)
        carts.append(cart)
    return variants, carts


def at_once(work, arguments, refused_by: tuple[type[Exception], ...] = ()):
    """``work(argument)`` for each argument, each in its own thread (its own database
    connection), all released together by a barrier. Returns ``(done, refused, errors)``:
    what the calls returned, the ``message`` of each refusal (an exception of ``refused_by``),
    and ``repr`` of anything else raised (a deadlock, a duplicate: a bug)."""
    arguments = list(arguments)
    start = threading.Barrier(len(arguments))
    done, refused, errors = [], [], []

    def run(argument):
        try:
            start.wait()
            done.append(work(argument))
        except refused_by as error:
            refused.append(error.message)
        except Exception as error:  # noqa: BLE001 - reported, the test fails on it
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, refused, errors
