"""No role reaches another's object (IDOR), generated from the access table.

Every row of ``ACCESS`` whose path names an owned object (the ``objects`` fixture says who
owns each, and makes a twin that someone else owns) is probed with the sample object, with
its twin, and with every mix of the two, by every non-staff role that does not own all of
the objects on the path: GET for pages, an empty POST for POST-only URLs. Each must answer
403, 404, 405 or a login redirect (a POST may also redirect), and write nothing. A new row
needs no upkeep here; a new private object URL without an owner fails
``test_every_private_object_url_has_an_owner``.
"""
import itertools

import pytest

from tests.support.access_harness import NO_GET, NON_STAFF, OK, REDIRECT, REFUSED, SESSION_ENGINE, clients, keys_on, run_probe
from tests.test_access import ACCESS, concrete_path, sample_objects


@pytest.fixture
def objects(db):
    return sample_objects()


# Rows with an object in the path that logged-in users reach without owning it, and why.
SHARED = {
    "me/pay/w2/<int:year>.pdf": "the year is no object: the W-2 is always the login's own (tests/payroll/test_yearend.py)",
    "volunteer/shifts/<int:shift_id>/": "open shifts are for every volunteer to see",
    "volunteer/shifts/<int:shift_id>/shift.ics": "open shifts are for every volunteer to see",
    "volunteer/shifts/<int:shift_id>/sign-up/": "anyone may sign up for an open shift",
    "gifts/invitations/<str:token>/": "the secret link is the key; only its addressee can accept",
    "checkout/pay/<str:token>/setup/": "the signed link is the key",
    "checkout/pay/<str:token>/confirm/": "the signed link is the key",
    "donate/pay/<str:token>/setup/": "the signed link is the key",
    "donate/pay/<str:token>/confirm/": "the signed link is the key",
    "giving/card/<str:token>/setup/": "the signed link is the key",
    "giving/card/<str:token>/confirm/": "the signed link is the key",
    "gifts/invoices/<str:token>/pay/setup/": "the signed link printed on the invoice is the key",
    "gifts/invoices/<str:token>/pay/confirm/": "the signed link printed on the invoice is the key",
    "gifts/claim/<str:token>/": "the secret claim link is the key; a recipient has no account",
    "events/<slug:slug>/tickets/": "anyone may buy tickets to a published event",
    "events/<slug:slug>/sponsor/": "anyone may sponsor a published event",
    "shop/product/<slug:slug>/notify/": "anyone may ask to be e-mailed when a product is back in stock",
}


def _path_for(objects):
    return lambda route, probe, twin_keys=(): concrete_path(route, probe, objects, twin_keys)


def _probes(objects):
    """(route, method, path, roles) for the sample objects, their twins and every mix."""
    path_for, owned = _path_for(objects), objects["owned"]
    for route, (expected, probe) in ACCESS.items():
        if expected["anonymous"] == OK:
            continue  # public, or a secret link: no owner to protect
        keys = keys_on(route, probe, path_for, owned)
        if not keys:
            continue
        method = "POST" if expected["customer"] == NO_GET else "GET"
        for twins in itertools.product((False, True), repeat=len(keys)):
            twin_keys = {key for key, twin in zip(keys, twins) if twin}
            # A role may reach the path only if it owns every object on it.
            owners = set.intersection(*({owned[key][key in twin_keys]} for key in keys))
            yield route, method, path_for(route, probe, twin_keys), tuple(r for r in NON_STAFF if r not in owners)


def _reaching(by_role, objects, routes=None) -> tuple[list[str], int]:
    """Probe; the probes a role was not refused (or wrote something), and the number made."""
    wrong, probed = [], 0
    for route, method, path, roles in _probes(objects):
        if routes is not None and route not in routes:
            continue
        for role in roles:
            got, written = run_probe(by_role[role], method, path)
            probed += 1
            refused = got in REFUSED or (method == "POST" and got == REDIRECT)
            if not refused or written:
                wrong.append(f"{role:<12} {method} {path}: {got}" + (f", wrote {sorted(set(written))}" if written else ""))
    return wrong, probed


@pytest.mark.django_db
def test_no_role_reaches_another_owners_object(client, objects, settings):
    settings.SESSION_ENGINE = SESSION_ENGINE
    # Hundreds of probes from one address would meet the rate limits' 429 (tests/hostile/
    # test_rate_limits.py) before the owner check: here every probe must meet the check itself.
    settings.MENDED_RATE_LIMITS = {}
    wrong, probed = _reaching(clients(objects["people"], type(client)), objects)
    assert probed > 300, "the IDOR probes lost their objects"
    assert not wrong, "Roles reaching another owner's object:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_idor_probes_catch_a_leak(client, objects, settings, monkeypatch):
    """The harness itself: an order page that forgets its owner, and a cart that removes any
    line (answering the usual redirect), are both caught."""
    from shop.models import CartLine, Order
    from shop.views import cart, orders

    settings.SESSION_ENGINE = SESSION_ENGINE
    monkeypatch.setattr(orders, "order_for_customer", lambda user, number: Order.objects.filter(number=number).first())
    monkeypatch.setattr(cart, "cart_remove_line", lambda cart_, line_id: CartLine.objects.filter(pk=line_id).delete())
    wrong, _ = _reaching(clients(objects["people"], type(client)), objects,
                         routes={"orders/<str:number>/", "cart/lines/<int:line_id>/remove/"})
    assert any(line.startswith("customer_b") and f"GET /orders/{objects['number']}/: OK" in line for line in wrong)
    assert any(f"POST /cart/lines/{objects['line_id']}/remove/: REDIRECT, wrote ['shop_cartline']" in line
               for line in wrong)


@pytest.mark.django_db
def test_every_private_object_url_has_an_owner(objects):
    """A row with an object in its path that a logged-in non-staff role reaches (or may POST
    to), but not anonymous, names an owned object, or is declared shared above with a reason.
    Staff and admin pages are decided by their rows."""
    path_for = _path_for(objects)
    unowned = []
    for route, (expected, probe) in ACCESS.items():
        if route.startswith(("staff/", "admin/")) or expected["anonymous"] == OK or route in SHARED:
            continue
        if path_for(route, probe) == "/" + route:
            continue  # no object in the path
        if any(expected[r] in (OK, NO_GET) for r in NON_STAFF[1:]) and not keys_on(route, probe, path_for,
                                                                                   objects["owned"]):
            unowned.append(route)
    assert not unowned, f"Private object URLs with no owner (add the owner and a twin to the objects fixture): {unowned}"
    assert not set(SHARED) - set(ACCESS), "SHARED names rows that no longer exist"
