"""The platform's form fields (shop/platform/form_fields.py): dates in the 2000-2100 window unless a
field says otherwise, ASCII digits only, integers a database can hold; and the admin mapping."""
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets

from payroll.models import PayRun, Volunteer
from shop.platform import form_fields
from shop.platform.validators import born

ARABIC_INDIC = "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0665"  # 2026-01-05
FULL_WIDTH = "\uff12\uff10\uff12\uff16-01-05"


class Typed(forms.Form):
    day = form_fields.DateField()
    birthday = form_fields.DateField(required=False, window=False, validators=[born])
    at = form_fields.DateTimeField(required=False)
    clock = form_fields.TimeField(required=False)
    count = form_fields.IntegerField(required=False, min_value=0)
    amount = form_fields.DecimalField(required=False, max_digits=8, decimal_places=2)


def errors(**data):
    form = Typed({"day": "2026-01-05", **data})
    form.is_valid()
    return form.errors


def test_a_date_inside_the_window_is_read():
    form = Typed({"day": "2026-01-05", "at": "2026-01-05 09:30", "clock": "09:30", "count": "3", "amount": "7.50"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == date(2026, 1, 5) and form.cleaned_data["clock"] == time(9, 30)
    assert form.cleaned_data["at"].replace(tzinfo=None) == datetime(2026, 1, 5, 9, 30)
    assert form.cleaned_data["count"] == 3 and form.cleaned_data["amount"] == Decimal("7.50")


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_dates_outside_2000_to_2100_are_a_typing_slip(typed):
    assert "typing slip" in errors(day=typed)["day"][0]
    assert "typing slip" in errors(at=typed + " 23:59")["at"][0]


def test_the_window_ends_are_inside():
    assert not errors(day="2000-01-01") and not errors(day="2100-12-31")


def test_a_date_of_birth_says_otherwise_and_keeps_its_own_rule():
    assert not errors(birthday="1961-07-30")
    assert "date of birth" in errors(birthday="1850-01-01")["birthday"][0]
    assert "date of birth" in errors(birthday="2090-01-01")["birthday"][0]


@pytest.mark.parametrize("field, typed", [
    ("day", ARABIC_INDIC), ("day", FULL_WIDTH), ("day", "2026-01-0\u00b2"),
    ("at", FULL_WIDTH + " 09:30"), ("clock", "\uff10\uff19:30"), ("count", "\uff13"), ("count", "\u0663"),
    ("count", "\u200f3"), ("amount", "\u0663.50"), ("amount", "\uff17"),
])
def test_unicode_digits_are_not_digits_here(field, typed):
    assert field in errors(**{field: typed})


def test_an_integer_past_what_a_database_holds_is_a_field_error():
    assert errors(count=str(2**63 - 1)) == {}
    assert errors(count=str(2**63))["count"] == ["Enter a smaller number."]
    assert "count" in errors(count="9" * 40)


def test_the_date_picker_carries_the_window_unless_the_field_has_none():
    html = str(Typed()["day"])
    assert 'type="date"' in html and 'min="2000-01-01"' in html and 'max="2100-12-31"' in html
    assert "min=" not in str(Typed()["birthday"])


class MappedAdmin(admin.ModelAdmin):
    """What the admin base does with the mapping."""
    formfield_overrides = form_fields.ADMIN_FORMFIELD_OVERRIDES


@pytest.fixture
def admin_form(rf, admin_user):
    def make(model):
        request = rf.get("/admin/")
        request.user = admin_user
        return MappedAdmin(model, admin.site).get_form(request, fields=None)
    return make


@pytest.mark.django_db
def test_the_admin_mapping_gives_model_date_fields_the_window_and_keeps_the_admin_widgets(admin_form):
    form = admin_form(PayRun)
    for name in ("period_start", "pay_date"):
        assert isinstance(form.base_fields[name], form_fields.DateField)
        assert isinstance(form.base_fields[name].widget, admin_widgets.AdminDateWidget)
    data = {"period_start": "0001-01-01", "period_end": "2026-01-14", "pay_date": "\uff12\uff10\uff12\uff16-01-20"}
    bound = form(data)
    assert not bound.is_valid()
    assert "typing slip" in bound.errors["period_start"][0] and "pay_date" in bound.errors


@pytest.mark.django_db
def test_the_admin_mapping_covers_date_times_and_numbers(admin_form):
    form = admin_form(PayRun)
    assert isinstance(form.base_fields["approved_at"], form_fields.SplitDateTimeField)
    assert isinstance(form.base_fields["approved_at"].widget, admin_widgets.AdminSplitDateTime)
    field = form.base_fields["approved_at"]
    with pytest.raises(forms.ValidationError, match="typing slip"):
        field.clean(["9999-12-31", "23:59"])
    with pytest.raises(forms.ValidationError):
        field.clean(["2026-01-05", "\uff10\uff19:00"])
    assert field.clean(["2026-01-05", "09:00"]).replace(tzinfo=None) == datetime(2026, 1, 5, 9)
    numbers = [f for f in admin_form(Volunteer).base_fields.values() if isinstance(f, forms.IntegerField)]
    assert all(isinstance(f, form_fields.IntegerField) for f in numbers)


@pytest.mark.django_db
def test_a_volunteers_date_of_birth_in_the_admin_is_not_held_to_the_window(admin_form):
    field = admin_form(Volunteer).base_fields["date_of_birth"]
    assert isinstance(field, form_fields.DateField) and not field.window
    assert field.clean("1975-03-09") == date(1975, 3, 9)
    with pytest.raises(forms.ValidationError, match="date of birth"):
        field.clean("1850-01-01")
    with pytest.raises(forms.ValidationError):
        field.clean(ARABIC_INDIC)
