"""Case notes (issue 24): who reads a note is its confidentiality (the program team, or only its
author and the program lead), read as each role of the access table; a correction is a new
version that keeps the old text, shown to whoever may read the note; every read is in the audit
trail; the text is encrypted at rest; bad input is a field error; a page of notes takes the same
queries for one note or many."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payroll.models import AuditEvent, CaseNote, CaseNoteVersion, Program
from payroll.services.casework import CaseworkError, case_note_correct, case_note_write
from shop.platform import roles
from tests.payroll.factories import EmployeeFactory
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Disclosed a safety concern about her former employer; safety plan reviewed."


@pytest.fixture
def people():
    lead = UserFactory(roles=[roles.PROGRAM_STAFF])
    participant = UserFactory()
    return {
        "author": UserFactory(roles=[roles.PROGRAM_STAFF]),
        "lead": lead,
        "program_staff": UserFactory(roles=[roles.PROGRAM_STAFF]),  # the rest of the team
        "payroll_staff": UserFactory(roles=[roles.PAYROLL_STAFF]),
        "shop_staff": UserFactory(roles=[roles.SHOP_STAFF]),
        "volunteer_coordinator": UserFactory(roles=[roles.VOLUNTEER_COORDINATOR]),
        "customer": UserFactory(),
        "employee": participant,  # the survivor the note is about
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


@pytest.fixture
def prog(people):
    return Program.objects.create(name="Sewing foundations", lead=people["lead"])


@pytest.fixture
def rosa(people):
    return EmployeeFactory(user=people["employee"], legal_name="Rosa Martinez")


def note(people, prog, rosa, level, body=SECRET):
    return case_note_write(employee=rosa, program=prog, confidentiality=level, body=body, actor=people["author"])


def as_(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def answers(client, people, path):
    got = {"anonymous": as_(client, None).get(path)}
    for role, user in people.items():
        got[role] = as_(client, user).get(path)
    return got


# Who reads what (restricted: only its author and the program lead, superusers included in "the rest").
RESTRICTED = {"anonymous": 302, "author": 200, "lead": 200, "program_staff": 404, "superuser": 404,
              "payroll_staff": 403, "shop_staff": 403, "volunteer_coordinator": 403, "customer": 403, "employee": 403}
TEAM = {**RESTRICTED, "program_staff": 200, "superuser": 200}


@pytest.mark.parametrize("level, expected", [("restricted", RESTRICTED), ("team", TEAM)])
def test_a_notes_page_answers_each_role_by_its_confidentiality(client, people, prog, rosa, level, expected):
    made = note(people, prog, rosa, level)
    got = answers(client, people, reverse("payroll:casework_note", args=[made.pk]))
    assert {role: r.status_code for role, r in got.items()} == expected
    for role, response in got.items():
        shown = SECRET in response.content.decode()
        assert shown == (expected[role] == 200), role
    assert got["anonymous"]["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("level, expected", [("restricted", RESTRICTED), ("team", TEAM)])
def test_the_participants_list_of_notes_shows_a_note_only_to_who_may_read_it(client, people, prog, rosa, level,
                                                                             expected):
    note(people, prog, rosa, level)
    got = answers(client, people, reverse("payroll:casework_notes", args=[rosa.pk]))
    for role, response in got.items():
        program_staff = role in ("author", "lead", "program_staff", "superuser")
        assert response.status_code == (200 if program_staff else 302 if role == "anonymous" else 403), role
        assert (SECRET in response.content.decode()) == (expected[role] == 200), role


def test_a_correction_is_a_new_version_and_the_old_text_stays_visible_to_readers(client, people, prog, rosa):
    made = note(people, prog, rosa, "restricted", body="Met on Tuesday.")
    response = as_(client, people["lead"]).post(reverse("payroll:casework_note", args=[made.pk]),
                                                {"body": "Met on Wednesday.", "reason": "Wrong day"})
    assert response.status_code == 302
    versions = list(CaseNoteVersion.objects.filter(note=made).order_by("number").values_list("number", "body", "reason"))
    assert versions == [(1, "Met on Tuesday.", ""), (2, "Met on Wednesday.", "Wrong day")]
    for reader in ("author", "lead"):
        page = as_(client, people[reader]).get(reverse("payroll:casework_note", args=[made.pk])).content.decode()
        assert page.index("Met on Wednesday.") < page.index("Met on Tuesday.")  # current first, the old kept
        assert "Corrected because: Wrong day" in page and "version 1" in page
    listing = as_(client, people["author"]).get(reverse("payroll:casework_notes", args=[rosa.pk])).content.decode()
    assert "Met on Wednesday." in listing and "Met on Tuesday." not in listing and "2 versions" in listing


def test_only_the_author_or_the_lead_corrects_a_note(client, people, prog, rosa):
    made = note(people, prog, rosa, "team", body="First text.")
    response = as_(client, people["program_staff"]).post(reverse("payroll:casework_note", args=[made.pk]),
                                                         {"body": "Changed by someone else.", "reason": "Because"})
    assert response.status_code == 400
    assert "Only the note&#x27;s author or the program lead can correct it." in response.content.decode()
    with pytest.raises(CaseworkError):
        case_note_correct(made.pk, body="Other", reason="x", actor=people["superuser"])
    # a restricted note is not there at all for the rest of the team: no correction either
    hidden = note(people, prog, rosa, "restricted")
    response = as_(client, people["program_staff"]).post(reverse("payroll:casework_note", args=[hidden.pk]),
                                                         {"body": "Changed", "reason": "x"})
    assert response.status_code == 404
    assert list(CaseNoteVersion.objects.values_list("body", flat=True).order_by("id")) == ["First text.", SECRET]


def test_a_version_is_never_rewritten_the_correction_service_adds_one():
    """The service has no way to change a version: every correction inserts."""
    import payroll.services.casework as module

    assert not [name for name in dir(module) if "update" in name or "edit" in name or "delete" in name]


def test_each_read_is_in_the_audit_trail(client, people, prog, rosa):
    team = note(people, prog, rosa, "team")
    restricted = note(people, prog, rosa, "restricted")
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    as_(client, people["program_staff"]).get(reverse("payroll:casework_notes", args=[rosa.pk]))
    as_(client, people["lead"]).get(reverse("payroll:casework_note", args=[restricted.pk]))
    as_(client, people["lead"]).get(reverse("payroll:casework_note", args=[restricted.pk]))
    as_(client, people["program_staff"]).get(reverse("payroll:casework_note", args=[restricted.pk]))  # a 404: no read
    events = list(AuditEvent.objects.filter(id__gt=before).order_by("id").values_list("action", "actor_id", "object_id", "detail"))
    assert [(a, who) for a, who, _, _ in events] == [
        ("casework.notes_read", people["program_staff"].pk),
        ("casework.note_read", people["lead"].pk), ("casework.note_read", people["lead"].pk),
    ]
    assert events[0][3]["notes"] == [team.pk]  # the restricted one was not shown, so not read
    assert events[1][2] == str(restricted.pk)
    assert AuditEvent.objects.filter(id__gt=before, employee_id=rosa.pk).count() == 3


def test_the_text_is_encrypted_at_rest(people, prog, rosa):
    made = note(people, prog, rosa, "team")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM payroll_casenoteversion WHERE note_id = %s", [made.pk])
        stored = cursor.fetchone()[0]
    assert SECRET not in stored and "safety" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert CaseNoteVersion.objects.get(note=made).body == SECRET


def test_a_long_note_is_kept_whole_and_a_longer_one_is_a_field_error(client, people, prog, rosa):
    as_(client, people["author"])
    url = reverse("payroll:casework_notes", args=[rosa.pk])
    long = "word " * 2000  # 10,000 characters
    response = client.post(url, {"program": prog.pk, "confidentiality": "team", "body": long.strip() + "."})
    assert response.status_code == 302
    assert len(CaseNoteVersion.objects.get().body) == 10_000
    response = client.post(url, {"program": prog.pk, "confidentiality": "team", "body": "x" * 10_001})
    assert response.status_code == 400
    assert "Ensure this value has at most 10000 characters (it has 10001)." in response.context["form"].errors["body"]
    response = client.post(url, {"program": prog.pk, "confidentiality": "everyone", "body": "Hi"})
    assert response.status_code == 400 and "confidentiality" in response.context["form"].errors
    response = client.post(url, {"program": 2 ** 70, "confidentiality": "team", "body": "Hi"})
    assert response.status_code == 400 and "program" in response.context["form"].errors
    response = client.post(url, {"program": prog.pk, "confidentiality": "team", "body": "   "})
    assert response.status_code == 400 and "body" in response.context["form"].errors
    assert CaseNote.objects.count() == 1


def test_the_notes_page_takes_the_same_queries_for_one_note_or_many(client, people, prog, rosa,
                                                                    django_assert_num_queries):
    note(people, prog, rosa, "team")
    as_(client, people["program_staff"])
    url = reverse("payroll:casework_notes", args=[rosa.pk])
    client.get(url)  # sessions, roles and the like read once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(6):
        made = note(people, prog, rosa, "team", body=f"Note {n}")
        case_note_correct(made.pk, body=f"Note {n}, corrected", reason="typo", actor=people["author"])
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert page.count('class="case-note"') == 7
