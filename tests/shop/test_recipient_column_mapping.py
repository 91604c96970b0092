"""The column-mapping step of recipient files (issue 22): a file missing a required column but
holding columns we do not know waits for the member to say what each is (or to ignore it);
the choice is remembered per organisation and applied to its next file; still all or
nothing, with row numbers as Excel shows them."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop.models import GiftRecipient, Organisation, OrganisationMember, RecipientColumnMapping, RecipientList
from shop.services.recipients_import import ColumnsNeedMapping, read_recipients
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

# A CRM export: "Ship Addr" is the street, "Dept" is nothing we use; neither is an alias.
CRM = ("Full Name,Ship Addr,Dept,City,State,Zip Code\r\n"
       "Ana Lima,1 Elm St,Sales,Boston,MA,02134\r\n"
       "Bo Chen,9 Oak Ave,Ops,Austin,TX,78701\r\n")


@pytest.fixture
def member(client):
    org = Organisation.objects.create(name="Acme", slug="acme")
    user = UserFactory()
    OrganisationMember.objects.create(organisation=org, user=user, role="member")
    client.force_login(user)
    return org, user


def upload(client, text, capture, name="CRM"):
    with capture(execute=True):
        client.post(reverse("shop:gift_recipients"),
                    {"name": name, "file": SimpleUploadedFile("crm.csv", text.encode(), content_type="text/csv")})
    return RecipientList.objects.order_by("-id").first()


def test_the_parser_asks_about_unknown_columns_when_a_required_one_is_missing():
    with pytest.raises(ColumnsNeedMapping) as raised:
        read_recipients(CRM)
    assert [(c.letter, c.header, c.key) for c in raised.value.columns] == [("B", "Ship Addr", "shipaddr"),
                                                                          ("C", "Dept", "dept")]
    assert raised.value.missing == ["address_line1"]
    assert "address_line1" in raised.value.choices and "city" not in raised.value.choices
    read = read_recipients(CRM, mapping={"shipaddr": "address_line1", "dept": ""})
    assert [(r.row, r.name, r.address_line1) for r in read.recipients] == [(2, "Ana Lima", "1 Elm St"),
                                                                           (3, "Bo Chen", "9 Oak Ave")]
    assert read.notes == ["Column C ('Dept') was ignored, as you chose."]


def test_a_member_maps_a_column_ignores_another_and_the_next_file_needs_no_step(
        client, member, django_capture_on_commit_callbacks):
    org, user = member
    waiting = upload(client, CRM, django_capture_on_commit_callbacks)
    assert waiting.status == RecipientList.Status.MAPPING and GiftRecipient.objects.count() == 0
    page = client.get(reverse("shop:gift_recipient_list", args=[waiting.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Column B: “Ship Addr”" in body and "For example: 1 Elm St · 9 Oak Ave" in body
    assert "Ignore this column" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("shop:gift_recipient_list_columns", args=[waiting.pk]),
                               {"column_B": "address_line1", "column_C": "ignore"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RecipientList.Status.READY
    assert list(waiting.recipients.values_list("row", "name", "address_line1", "zip")) == [
        (2, "Ana Lima", "1 Elm St", "02134"), (3, "Bo Chen", "9 Oak Ave", "78701")]
    assert waiting.notes == ["Column C ('Dept') was ignored, as you chose."]
    assert sorted(RecipientColumnMapping.objects.filter(organisation=org).values_list("header_key", "column")) == [
        ("dept", ""), ("shipaddr", "address_line1")]

    # The next file with the same headers (spelt differently) is read with the remembered choices.
    again = upload(client, CRM.replace("Ship Addr", "SHIP-ADDR").replace("Ana Lima", "Cy Diaz"),
                   django_capture_on_commit_callbacks, name="Again")
    assert again.status == RecipientList.Status.READY
    assert list(again.recipients.values_list("name", "address_line1")) == [("Cy Diaz", "1 Elm St"),
                                                                          ("Bo Chen", "9 Oak Ave")]

    # Another organisation's members are still asked: the choice is Acme's.
    other = Organisation.objects.create(name="Globex", slug="globex")
    stranger = UserFactory()
    OrganisationMember.objects.create(organisation=other, user=stranger)
    client.force_login(stranger)
    assert upload(client, CRM, django_capture_on_commit_callbacks).status == RecipientList.Status.MAPPING


@pytest.mark.parametrize("choices, column, message", [
    ({"column_B": "spaceship", "column_C": "ignore"}, "column_B", "Select a valid choice"),
    ({"column_B": "city", "column_C": "ignore"}, "column_B", "Select a valid choice"),  # the file has a city column
    ({"column_B": "address_line1", "column_C": "address_line1"}, "column_C", "Column B is already address line 1"),
    ({"column_B": "ignore", "column_C": "ignore"}, "column_B", "The file still needs address line 1"),
    ({"column_B": "address_line1"}, "column_C", "This field is required"),
])
def test_a_bad_choice_is_a_field_error_and_nothing_is_remembered_or_imported(
        client, member, django_capture_on_commit_callbacks, choices, column, message):
    waiting = upload(client, CRM, django_capture_on_commit_callbacks)
    response = client.post(reverse("shop:gift_recipient_list_columns", args=[waiting.pk]), choices)
    assert response.status_code == 400
    assert message in " ".join(response.context["mapping_form"].errors[column])
    waiting.refresh_from_db()
    assert waiting.status == RecipientList.Status.MAPPING
    assert not RecipientColumnMapping.objects.exists() and not GiftRecipient.objects.exists()


def test_a_mapped_file_with_a_bad_row_still_imports_nothing_and_names_the_excel_row(
        client, member, django_capture_on_commit_callbacks):
    text = CRM + "Cy Diaz,,HR,Miami,FL,33101\r\n"  # row 4 has no street
    waiting = upload(client, text, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shop:gift_recipient_list_columns", args=[waiting.pk]),
                    {"column_B": "address_line1", "column_C": "ignore"})
    waiting.refresh_from_db()
    assert waiting.status == RecipientList.Status.FAILED and GiftRecipient.objects.count() == 0
    assert [(e["row"], e["field"]) for e in waiting.row_errors] == [(4, "address_line1")]


def test_a_file_with_every_required_column_still_ignores_an_unknown_one_without_asking(
        client, member, django_capture_on_commit_callbacks):
    text = "Employee ID,Name,Street,City,State,Zip\r\nE-1,Ana Lima,1 Elm St,Boston,MA,02134\r\n"
    done = upload(client, text, django_capture_on_commit_callbacks)
    assert done.status == RecipientList.Status.READY
    assert done.notes == ["Column A ('Employee ID') was ignored: it is not one we use."]


def test_another_organisations_list_cannot_be_mapped(client, member, django_capture_on_commit_callbacks):
    waiting = upload(client, CRM, django_capture_on_commit_callbacks)
    outsider = UserFactory()
    OrganisationMember.objects.create(organisation=Organisation.objects.create(name="B", slug="b"), user=outsider)
    client.force_login(outsider)
    response = client.post(reverse("shop:gift_recipient_list_columns", args=[waiting.pk]),
                           {"column_B": "address_line1", "column_C": "ignore"})
    assert response.status_code == 404
    assert not RecipientColumnMapping.objects.exists()
