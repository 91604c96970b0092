"""Reconciliation of designated wage gifts against payroll's ledger: `manage.py reconcile_wage_fund`
reports a paid gift with no credit entry and a refunded one with no reversal, and exits 1."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from payroll import tasks
from payroll.models import Posting
from payroll.services.reconcile import wage_fund_reconcile
from payroll.services.wage_fund import wage_fund_credit_donation, wage_fund_reverse_donation
from shop.models import Donation
from tests.shop.giving.factories import make_paid_donation

pytestmark = pytest.mark.django_db


def run(capsys) -> tuple[int, str]:
    try:
        call_command("reconcile_wage_fund")
    except SystemExit as exit_info:
        return exit_info.code, capsys.readouterr().out
    return 0, capsys.readouterr().out


def refund_behind_the_ledger(donation):
    """The gift is refunded but the reversal never posted (a lost announcement)."""
    Donation.objects.filter(pk=donation.pk).update(status=Donation.Status.REFUNDED, refunded_at=timezone.now())


def designated_fund_balance() -> Decimal:
    postings = Posting.objects.filter(account__code="wage_fund", entry__source_type__startswith="donation")
    return -sum((p.amount for p in postings), Decimal("0.00"))


def test_a_paid_wage_gift_with_no_credit_is_reported_until_credited(capsys):
    gift = make_paid_donation(amount="42.50", fund="wages")  # made directly: nothing announced, nothing posted
    make_paid_donation(amount="10.00", fund="counselling")  # a restricted fund payroll never credits
    code, out = run(capsys)
    assert code == 1
    assert f"Paid designated wage gifts with no credit entry: {gift.number}" in out
    assert "does NOT reconcile" in out
    report = wage_fund_reconcile()
    assert report.uncredited_donations == [gift.number] and report.unreversed_donations == []
    designated = [a for a in report.accounts if a.code == "designated_donations"]
    assert len(designated) == 1 and (designated[0].expected, designated[0].actual) == (Decimal("42.50"), Decimal("0.00"))

    assert wage_fund_credit_donation(gift.pk) is True
    assert designated_fund_balance() == Decimal("42.50")
    code, out = run(capsys)
    assert code == 0 and "The wage fund reconciles." in out and gift.number not in out


def test_a_refunded_wage_gift_with_no_reversal_is_reported_until_reversed(capsys):
    gift = make_paid_donation(amount="60.00", fund="wages")
    wage_fund_credit_donation(gift.pk)
    assert run(capsys)[0] == 0
    refund_behind_the_ledger(gift)
    code, out = run(capsys)
    assert code == 1
    assert f"Refunded designated wage gifts with no reversal: {gift.number}" in out
    assert "no credit entry" not in out
    assert wage_fund_reconcile().unreversed_donations == [gift.number]

    assert wage_fund_reverse_donation(gift.pk) is True
    assert designated_fund_balance() == Decimal("0.00")
    code, out = run(capsys)
    assert code == 0 and "The wage fund reconciles." in out


def test_a_refunded_gift_that_was_never_credited_needs_no_reversal(capsys):
    gift = make_paid_donation(amount="15.00", fund="wages")
    refund_behind_the_ledger(gift)
    assert run(capsys)[0] == 0


def test_the_nightly_check_emails_payroll_staff_about_an_uncredited_gift(mailoutbox):
    from shop.platform import roles
    from tests.support.factories import UserFactory

    UserFactory(email="pat@example.org", roles=[roles.PAYROLL_STAFF])
    gift = make_paid_donation(amount="25.00", fund="wages")
    assert tasks.reconcile_wage_fund_nightly() is False
    assert len(mailoutbox) == 1 and gift.number in mailoutbox[0].body
    tasks.sweep_wage_fund()  # payroll's sweeper posts what the lost announcement left
    assert tasks.reconcile_wage_fund_nightly() is True and len(mailoutbox) == 1
