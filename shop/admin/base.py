"""The one base of every admin and inline (shop's, payroll's, and Django's and allauth's own,
re-registered on it in ``shop/admin/accounts.py``; ``tests/test_architecture.py`` checks it).

What staff can type or put in a URL is checked here before it reaches a query, so the admin
answers with a 404 or a message, never a 500 (issue 19):

- object ids in URLs (``<object_id>/change/``, ``/delete/``, ``/history/``, a user's
  ``<id>/password/``): not an id a database can hold (not ASCII digits, 0, past 2**63-1) is a 404;
- the changelist's filters from the query string (``?id__exact=``, ``?category__id__in=``,
  ``?total__lt=``, ``?created_at__gte=``...): a value the field's column cannot hold (an id past
  64 bits, a decimal that is not a number, a date past the year 9998) is refused with a message;
  so are the selected rows of an action;
- the changelist's search (and the autocomplete's): over ``MAX_SEARCH`` characters (SQLite's
  "LIKE or GLOB pattern too complex") it is not run, and a warning says why;
- model choice fields (foreign keys, many-to-many) use ``shop.platform.form_fields``' fields,
  which answer "Select a valid choice" to an id past 64 bits; model dates, times and numbers use
  its ``ADMIN_FORMFIELD_OVERRIDES`` (the 2000-2100 window unless the model field says otherwise).

Also the read-only admins and inline for records only services write.
"""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms import HiddenInput
from django.forms.formsets import ManagementForm
from django.utils.functional import cached_property
from django.http import Http404, HttpResponseRedirect
from django.urls import URLPattern

from shop.platform import form_fields
from shop.platform.validators import MAX_ID

MAX_SEARCH = 200
MIN_INT, MAX_INT = -(2**63), 2**63 - 1
# Query-string names the changelist reads itself (Django validates them), not filters.
CHANGELIST_VARS = {SEARCH_VAR, ORDER_VAR, PAGE_VAR, ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, TO_FIELD_VAR, IS_POPUP_VAR,
                   "_changelist_filters"}
# Lookups whose value is read as the field's own type (``__in`` and ``__range`` as a comma list).
VALUE_LOOKUPS = {"exact", "iexact", "gt", "gte", "lt", "lte", "in", "range"}
DATE_PARTS = {"year", "iso_year", "month", "day", "week", "week_day", "iso_week_day", "quarter", "hour", "minute",
              "second"}


def as_id(text) -> int | None:
    """``text`` as an id a database can hold (1 to 2**63-1, ASCII digits), else None."""
    text = str(text).strip()
    if not (0 < len(text) <= 19 and text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _as_int(text) -> int | None:
    text = str(text).strip()
    digits = text[1:] if text[:1] == "-" else text
    if not (0 < len(digits) <= 19 and digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if MIN_INT <= number <= MAX_INT else None


def _target(field):
    """The field a lookup on ``field`` compares with (a foreign key's: the remote key)."""
    for _ in range(5):
        try:
            target = field.target_field if field.is_relation else None
        except Exception:  # noqa: BLE001  (a relation to several fields: compared as itself)
            target = None
        if target is None or target is field:
            break
        field = target
    return field


def integer_pk(model) -> bool:
    return isinstance(_target(model._meta.pk), models.IntegerField)


def _value_fits(field, value: str) -> bool:
    """Whether ``value`` is one the column of ``field`` can be compared with without the database
    refusing it (a value Django itself rejects is left to Django, which says so)."""
    field = _target(field)
    if isinstance(field, models.IntegerField):
        return _as_int(value) is not None
    if isinstance(field, (models.DecimalField, models.FloatField)):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return len(str(value)) <= 100  # Django refuses it with a message
        return number.is_finite() and abs(number) < Decimal(10) ** 30
    if isinstance(field, (models.DateField, models.DateTimeField)):
        try:
            parsed = field.to_python(value)
        except ValidationError:
            return True  # Django refuses it with a message
        return not isinstance(parsed, (date, datetime)) or 1 < parsed.year < 9999
    return "\x00" not in str(value)


def filter_problem(model, key: str, values: list) -> str | None:
    """What is wrong with one changelist filter from the query string, or None."""
    parts, field, opts, rest = key.split("__"), None, model._meta, []
    for i, part in enumerate(parts):
        if field is not None and not (field.is_relation and field.related_model is not None):
            rest = parts[i:]  # past a plain field: lookups and transforms
            break
        try:
            field = opts.pk if part == "pk" else opts.get_field(part)
        except FieldDoesNotExist:
            rest = parts[i:]
            break
        if field.is_relation and field.related_model is not None:
            opts = field.related_model._meta
    if field is None:
        return None  # not a field: Django refuses it
    if rest and rest[0] in DATE_PARTS:
        ok = all(_as_int(piece) is not None and 0 <= int(piece) <= 9999 for v in values for piece in str(v).split(","))
        return None if ok else f"“{key[:60]}” takes a number up to 9999."
    lookup = rest[0] if rest else "exact"
    if lookup not in VALUE_LOOKUPS:
        return None
    pieces = [piece for v in values for piece in (str(v).split(",") if lookup in ("in", "range") else [str(v)])]
    if any(len(piece) > 1000 or not _value_fits(field, piece) for piece in pieces):
        return f"“{key[:60]}” was given a value no record can have."
    return None


class FieldsGuarded:
    """Model choice fields that refuse an id past 64 bits, and dates, times and numbers read as
    every other form reads them (``form_fields``: ASCII digits, the 2000-2100 window, what a
    column holds), for every admin and inline; Django keeps its admin widgets."""

    formfield_overrides = form_fields.ADMIN_FORMFIELD_OVERRIDES

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", form_fields.ModelChoiceField)
        if db_field.remote_field.field_name == db_field.related_model._meta.pk.name:
            kwargs.setdefault("to_field_name", None)  # by pk, so form_fields checks the id's range
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", form_fields.ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class Guarded(FieldsGuarded):
    """What every ModelAdmin of the project has (Django's and allauth's too): see the module."""

    def get_urls(self):
        return [self._checked(p) if isinstance(p, URLPattern) else p for p in super().get_urls()]

    def _checked(self, pattern):
        names = [n for n in ("object_id", "id") if f"<path:{n}>" in str(pattern.pattern) or f"<{n}>" in str(pattern.pattern)]
        if not names or not integer_pk(self.model):
            return pattern
        view = pattern.callback

        @wraps(view)
        def checked(request, *args, **kwargs):
            if any(n in kwargs and as_id(unquote(kwargs[n])) is None for n in names):
                raise Http404(f"No {self.opts.verbose_name} has that id.")
            return view(request, *args, **kwargs)

        return URLPattern(pattern.pattern, checked, pattern.default_args, pattern.name)

    def get_object(self, request, object_id, from_field=None):
        if from_field is None and integer_pk(self.model) and as_id(object_id) is None:
            return None
        return super().get_object(request, object_id, from_field)

    def changelist_view(self, request, extra_context=None):
        params = request.GET
        custom = {getattr(f, "parameter_name", None) for f in self.get_list_filter(request) if isinstance(f, type)}
        for key in params:
            if key in CHANGELIST_VARS or key in custom:
                continue
            problem = filter_problem(self.model, key, params.getlist(key))
            if problem:
                self.message_user(request, f"That filter was not applied: {problem}", level=messages.ERROR)
                return HttpResponseRedirect(request.path)
        search = params.get(SEARCH_VAR, "")
        if not search_allowed(search):
            self.message_user(request, search_refusal(search), level=messages.WARNING)
        if request.method == "POST" and "action" in request.POST and integer_pk(self.model):
            selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            if any(as_id(pk) is None for pk in selected):
                self.message_user(request, "The selection named a row that does not exist; nothing was done.",
                                  level=messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        if not search_allowed(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


def search_allowed(term: str) -> bool:
    """A NUL is refused by Django's own search form (it then searches for nothing)."""
    return len(term) <= MAX_SEARCH


def search_refusal(term: str) -> str:
    return f"The search was not run: search for at most {MAX_SEARCH} characters ({len(term)} given)."


class ModelAdmin(Guarded, admin.ModelAdmin):
    """The base of every admin of the project."""


class CountedManagementForm(ManagementForm):
    """An inline's management form whose form counts cannot be negative: Django reads a negative
    ``INITIAL_FORMS`` as "every row is new", so a row already saved would be inserted again (a
    unique constraint's IntegrityError, a 500). Refused, the formset is invalid with a message."""

    TOTAL_FORMS = form_fields.IntegerField(widget=HiddenInput, min_value=0)
    INITIAL_FORMS = form_fields.IntegerField(widget=HiddenInput, min_value=0)


class CountedFormSet:
    """Mixed into every inline's formset: its management form is ``CountedManagementForm``."""

    @cached_property
    def management_form(self):
        if not self.is_bound:
            return super().management_form
        form = CountedManagementForm(self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer)
        form.full_clean()
        return form


class InlineGuarded(FieldsGuarded):
    """What every inline of the project has."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (CountedFormSet, formset), {})


class TabularInline(InlineGuarded, admin.TabularInline):
    pass


class StackedInline(InlineGuarded, admin.StackedInline):
    pass


class ReadOnlyAdmin(ModelAdmin):
    """Records written only by services (ledgers, logs, Stripe's events): staff read them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
