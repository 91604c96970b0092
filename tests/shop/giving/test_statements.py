"""Year-end statements: one per donor and year, every gift listed; a re-run sends nothing twice."""
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from pypdf import PdfReader

from shop.models import StatementRun, YearEndStatement
from tests.shop.giving.factories import make_donor, make_paid_donation

pytestmark = pytest.mark.django_db


def test_statements_list_each_gift_and_a_rerun_sends_nothing_twice(django_capture_on_commit_callbacks):
    dana, lee = make_donor(name="Dana Donor"), make_donor(name="Lee Giver")
    make_paid_donation(dana, "50.00", paid_at=(2025, 2, 1, 9))
    make_paid_donation(dana, "150.00", paid_at=(2025, 11, 1, 9), goods_description="Gala ticket", goods_value=Decimal("60.00"))
    make_paid_donation(lee, "20.00", paid_at=(2025, 5, 1, 9))
    make_paid_donation(lee, "99.00", paid_at=(2026, 1, 2, 9))  # another year
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_year_end_statements", "2025")
    assert len(mail.outbox) == 2
    run = StatementRun.objects.get()
    assert (run.status, run.total, run.done, run.sent) == ("done", 2, 2, 2)
    dana_mail = next(m for m in mail.outbox if m.to == [dana.email])
    body = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(dana_mail.attachments[0][1])).pages)
    for expected in ("Dana Donor", "2025-000001", "2025-000002", "$50.00", "$150.00", "$90.00", "$140.00", "Gala ticket"):
        assert expected in body, expected
    assert "$99.00" not in body
    statement = YearEndStatement.objects.get(donor=dana, year=2025)
    assert statement.total == Decimal("200.00") and statement.deductible == Decimal("140.00") and statement.sent_at

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_year_end_statements", "2025")
    assert len(mail.outbox) == 2  # nothing twice
    rerun = StatementRun.objects.order_by("-id").first()
    assert (rerun.done, rerun.sent) == (2, 0)
    assert YearEndStatement.objects.filter(year=2025).count() == 2


def test_staff_start_a_run_from_the_page_and_see_progress(client, django_capture_on_commit_callbacks):
    from shop.platform import roles
    from tests.support.factories import UserFactory

    make_paid_donation(paid_at=(2024, 3, 1, 9))
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    assert client.post("/staff/giving/statements/", {"year": "abc"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/staff/giving/statements/", {"year": "2024", "confirm": "on", "expected": "1"}).status_code == 302
    run = StatementRun.objects.get()
    assert client.get(f"/staff/giving/statements/{run.pk}/progress/").json() == {"status": "done", "done": 1, "total": 1, "percent": 100}
    assert len(mail.outbox) == 1


# -- issue 16: no statements for a year still running; a preview, then an explicit confirmation --

def test_a_year_that_has_not_ended_is_refused_on_the_page_and_by_the_command(client, django_capture_on_commit_callbacks):
    from django.core.management.base import CommandError
    from django.utils import timezone

    from shop.platform import roles
    from tests.support.factories import UserFactory

    this_year = timezone.localdate().year
    make_paid_donation(paid_at=timezone.now())
    client.force_login(UserFactory(roles=[roles.SHOP_STAFF]))
    for data in ({"year": this_year}, {"year": this_year, "confirm": "on", "expected": "1"}, {"year": this_year + 1}):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/staff/giving/statements/", data)
        assert response.status_code == 400
        assert "has not ended yet" in response.context["form"].errors["year"][0]
    with pytest.raises(CommandError, match="has not ended yet"):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_year_end_statements", str(this_year))
    assert not StatementRun.objects.exists()
    assert len(mail.outbox) == 0


def test_the_page_previews_the_count_and_a_sample_and_sends_only_on_confirm(client, django_capture_on_commit_callbacks):
    from shop.platform import roles
    from shop.models import AuditEvent
    from tests.support.factories import UserFactory

    dana, lee = make_donor(name="Dana O'Donor"), make_donor(name="Lee Giver")
    make_paid_donation(dana, "50.00", paid_at=(2025, 2, 1, 9))
    make_paid_donation(dana, "25.00", paid_at=(2025, 3, 1, 9))
    make_paid_donation(lee, "20.00", paid_at=(2025, 5, 1, 9))
    staff = UserFactory(roles=[roles.SHOP_STAFF])
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post("/staff/giving/statements/", {"year": "2025"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 statements" in page and "will be e-mailed" in page
    assert "Dana O&#x27;Donor" in page and "2 gifts, $75.00" in page and "Lee Giver" in page
    assert 'name="confirm"' in page and 'name="expected" value="2"' in page
    assert not StatementRun.objects.exists() and len(mail.outbox) == 0  # the preview sends nothing

    # A gift arrives meanwhile: the confirmation of the old count shows the new preview instead.
    make_paid_donation(make_donor(name="Late Giver"), "10.00", paid_at=(2025, 12, 30, 9))
    with django_capture_on_commit_callbacks(execute=True):
        stale = client.post("/staff/giving/statements/", {"year": "2025", "confirm": "on", "expected": "2"})
    assert stale.status_code == 200 and "3 statements" in stale.content.decode()
    assert not StatementRun.objects.exists() and len(mail.outbox) == 0

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/staff/giving/statements/", {"year": "2025", "confirm": "on", "expected": "3"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 3
    run = StatementRun.objects.get()
    event = AuditEvent.objects.get(action="statements.run_started")
    assert (event.actor, event.object_id, event.detail["year"], event.detail["donors"]) == (staff, str(run.pk), 2025, 3)


def test_the_command_can_preview_without_sending(capsys):
    dana = make_donor(name="Dana Donor")
    make_paid_donation(dana, "50.00", paid_at=(2025, 2, 1, 9))
    call_command("send_year_end_statements", "2025", "--preview")
    assert "1 statements to send" in capsys.readouterr().out
    assert not StatementRun.objects.exists() and len(mail.outbox) == 0
