"""The machinery behind the access table in ``tests/test_access.py``.

Fourteen roles probe every URL pattern. A row of the table (``row()``) names the answer of
the seven *required* columns positionally: anonymous, customer, shop staff, payroll staff,
program staff, volunteer coordinator, superuser. The seven other roles are ordinary logged-in
users without a staff role (another customer, a member of organisation A and one of B, a
donor, a volunteer, an employee and another employee): each *derives* the customer's
answer unless the row says otherwise by keyword (``row(..., corporate_a=OK)``). A row built
any other way must still answer for all fourteen roles, or ``check_rows`` fails.

Ownership: the ``objects`` fixture says who owns each sample object (``owned``) and gives a
twin of it owned by someone else (``twins``); ``tests/test_idor.py`` probes every row that
names an owned object with the sample, the twin and their mixes, as every non-staff role that
does not own them: each must be refused (403/404/405 or a login) and write nothing.
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager

from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from shop.platform import roles

OK, LOGIN, REDIRECT, DENIED, NOT_FOUND, NO_GET = "OK", "LOGIN", "REDIRECT", "DENIED", "NOT_FOUND", "NO_GET"
ANSWERS = (OK, LOGIN, REDIRECT, DENIED, NOT_FOUND, NO_GET)
REFUSED = (LOGIN, DENIED, NOT_FOUND, NO_GET)

# The required columns of ``row()``, in its positional order.
COLUMNS = ("anonymous", "customer", "shop_staff", "payroll_staff", "program_staff", "volunteer_coordinator", "superuser")
# Logged-in users without a staff role: their answer is the customer's unless a row says otherwise.
USER_ROLES = ("customer_b", "corporate_a", "corporate_b", "donor", "volunteer", "employee", "employee_b")
STAFF_GROUPS = {
    "shop_staff": roles.SHOP_STAFF,
    "payroll_staff": roles.PAYROLL_STAFF,
    "program_staff": roles.PROGRAM_STAFF,
    "volunteer_coordinator": roles.VOLUNTEER_COORDINATOR,
}
STAFF = (*STAFF_GROUPS, "superuser")
NON_STAFF = ("anonymous", "customer", *USER_ROLES)
ROLES = (*NON_STAFF, *STAFF)


def row(anonymous, customer, shop_staff, payroll_staff, program_staff, volunteer_coordinator, superuser, probe=None,
        **users):
    """One URL pattern's answers: the seven columns, then ``users`` overriding the derived roles."""
    unknown = set(users) - set(USER_ROLES)
    if unknown:
        raise TypeError(f"row() got answers for unknown roles {sorted(unknown)}; the roles are {ROLES}")
    answers = dict(zip(COLUMNS, (anonymous, customer, shop_staff, payroll_staff, program_staff, volunteer_coordinator,
                                 superuser)))
    answers.update({r: users.get(r, customer) for r in USER_ROLES})
    return {r: answers[r] for r in ROLES}, probe


def users(answer, **overrides):
    """Keyword answers for all the derived roles at once: ``row(..., **users(NOT_FOUND, donor=OK))``,
    for a row whose customer column is an owner's answer the other users must not inherit."""
    unknown = set(overrides) - set(USER_ROLES)
    if unknown:
        raise TypeError(f"users() got answers for unknown roles {sorted(unknown)}")
    return {r: overrides.get(r, answer) for r in USER_ROLES}


def everyone(answer, probe=None):
    return row(*[answer] * len(COLUMNS), probe=probe)


def staff(staff_answer, superuser_answer=None, probe=None, **overrides):
    """Admin pages: anonymous and other non-staff are sent to log in; staff get ``staff_answer``."""
    answers = {r: staff_answer for r in COLUMNS}
    answers.update(anonymous=LOGIN, customer=LOGIN, superuser=superuser_answer or staff_answer)
    users = {r: overrides.pop(r) for r in USER_ROLES if r in overrides}
    answers.update(overrides)
    return row(*(answers[r] for r in COLUMNS), probe=probe, **users)


def admin_model(prefix, managers, add=OK, delete=OK):
    """The rows of one admin model; ``managers`` are the roles with its permissions.

    ``add``/``delete`` say what managers get there (DENIED where nobody may add or delete).
    """
    def by_role(allowed):
        return staff(DENIED, superuser_answer=allowed, **{r: allowed for r in managers})

    return {
        prefix: by_role(OK),
        prefix + "add/": by_role(add),
        prefix + "<path:object_id>/history/": by_role(OK),
        prefix + "<path:object_id>/delete/": by_role(delete),
        prefix + "<path:object_id>/change/": by_role(OK),
        prefix + "<path:object_id>/": staff(REDIRECT),  # redirects to change/, which checks permissions
    }


# -- checking the table itself -------------------------------------------------------------


def url_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def check_coverage(access) -> None:
    routes = list(url_patterns())
    missing = [r for r in routes if r not in access]
    stale = [r for r in access if r not in routes]
    assert not missing, f"URL patterns with no row in the access table: {missing}"
    assert not stale, f"Rows for URL patterns that no longer exist: {stale}"


def check_rows(access) -> None:
    """Every row answers for every role, with one of the known answers, and nothing else."""
    problems = []
    for route, value in access.items():
        try:
            answers, probe = value
        except (TypeError, ValueError):
            problems.append(f"{route}: not an (answers, probe) pair; build it with row()")
            continue
        missing = [r for r in ROLES if r not in answers]
        extra = [r for r in answers if r not in ROLES]
        wrong = [f"{r}={a!r}" for r, a in answers.items() if r in ROLES and a not in ANSWERS]
        if missing:
            problems.append(f"{route}: no answer for {missing}")
        if extra:
            problems.append(f"{route}: answers for unknown roles {extra}")
        if wrong:
            problems.append(f"{route}: unknown answers {wrong}")
        if probe is not None and not probe.startswith("/"):
            problems.append(f"{route}: the probe {probe!r} is not a path")
    assert not problems, "Rows of the access table that do not decide every role:\n" + "\n".join(problems)


# -- probing -------------------------------------------------------------------------------


def answer(response):
    if response.status_code in (301, 302):
        target = response["Location"]
        return LOGIN if ("/accounts/login/" in target or "/admin/login/" in target) else REDIRECT
    return {200: OK, 403: DENIED, 404: NOT_FOUND, 405: NO_GET}.get(response.status_code, str(response.status_code))


# Sessions for the walk live in the local-memory cache: where a session is kept decides no
# access, and it saves a query on each of the thousands of requests (about a sixth of the time).
SESSION_ENGINE = "django.contrib.sessions.backends.cache"


def clients(people, client_class=Client) -> dict[str, Client]:
    """One client per role, logged in once (``client_class``: the suite's ``client`` fixture's
    class, whose ``force_login`` also counts the second factor of users who have one)."""
    out = {}
    for role in ROLES:
        out[role] = client_class()
        if role != "anonymous":
            out[role].force_login(people[role])
    return out


@contextmanager
def refusals_unlogged():
    """The walk meets thousands of expected 403/404/405s: Django logs each as a warning (403s
    with a traceback), which would take a quarter of its time. Server errors are still logged."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def walk(access, clients_, path_for) -> list[str]:
    """GET every row's path as every role; the differences from the table, one line each."""
    wrong = []
    paths = {route: path_for(route, probe) for route, (_, probe) in access.items()}
    with refusals_unlogged():
        for role in ROLES:
            client = clients_[role]
            for route, (expected, _) in access.items():
                got = answer(client.get(paths[route]))
                if got != expected[role]:
                    wrong.append(f"{role:<22} GET {paths[route]}: expected {expected[role]}, got {got}")
    return wrong


# Tables a refused request may still write to: the session, and the prober's own (empty) cart.
WRITES_ALLOWED = {"django_session", "shop_cart"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def writes_recorded():
    """Record the tables rows were written to (outside ``WRITES_ALLOWED``), then roll back."""
    written: list[str] = []

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = _WRITE.match(sql)
        if match and match.group(1) not in WRITES_ALLOWED and context["cursor"].rowcount:  # rows, not statements
            written.append(match.group(1))
        return result

    with transaction.atomic():
        with connection.execute_wrapper(record):
            yield written
        transaction.set_rollback(True)


# What a GET may write (``get_writes``): the session is framework state (a login or a flash
# message saves it), and an audit-trail row recording that staff *read* a survivor's record
# (or exported one) is a required privacy feature. Nothing else: no update, no delete.
GET_WRITES_ALLOWED = {("INSERT", "shop_auditevent"), ("INSERT", "django_session"), ("UPDATE", "django_session"),
                      ("DELETE", "django_session")}
_VERB = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b(?:\s+INTO|\s+FROM)?\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def statements_written():
    """Every INSERT, UPDATE or DELETE statement run, as (verb, table), whether or not it touched a
    row (a GET that *tries* to write is already wrong); then everything is rolled back."""
    written: list[tuple[str, str]] = []

    def record(execute, sql, params, many, context):
        match = _VERB.match(sql)
        if match:
            written.append((match.group(1).upper(), match.group(2)))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(record):
            yield written
        transaction.set_rollback(True)


def get_writes(access, clients_, path_for) -> list[str]:
    """GET every row's path as every role (logged in beforehand); each request that wrote to
    the database beyond ``GET_WRITES_ALLOWED``, one line each, naming the URL and the tables."""
    wrong = []
    paths = {route: path_for(route, probe) for route, (_, probe) in access.items()}
    with refusals_unlogged():
        for role in ROLES:
            client = clients_[role]
            for route in access:
                with statements_written() as written:
                    client.get(paths[route])
                bad = sorted({f"{verb} {table}" for verb, table in written if (verb, table) not in GET_WRITES_ALLOWED})
                if bad:
                    wrong.append(f"{role:<22} GET {paths[route]} wrote: {', '.join(bad)}")
    return wrong


def keys_on(route, probe, path_for, owned) -> list[str]:
    """The owned keys a row's path uses: those whose twin changes the path."""
    sample = path_for(route, probe, twin_keys=set())
    return [key for key in owned if path_for(route, probe, twin_keys={key}) != sample]


def run_probe(client, method, path) -> tuple[str, list[str]]:
    """One request, its answer and the tables it wrote to (rolled back)."""
    with refusals_unlogged(), writes_recorded() as written:
        response = client.post(path) if method == "POST" else client.get(path)
    return answer(response), written
