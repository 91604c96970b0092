"""Form fields that refuse, with a message, what the stock ones pass on to the database.

Django's model choice fields send whatever integer was posted into a query: 2**64 makes
SQLite raise OverflowError and PostgreSQL an out-of-range error, both a 500. These check the
value is an id a database can hold first, and answer "Select a valid choice" otherwise.

Dates: ``DateField``, ``DateTimeField``, ``SplitDateTimeField`` and ``TimeField`` take ASCII
digits only (``strptime`` reads Arabic-Indic and full-width digits too) and, for dates, a
day between ``EARLIEST_DATE`` and ``LATEST_DATE`` (2000 to 2100): year 1 or 9999 is a slip of
the keyboard that would otherwise overflow date arithmetic further on. A field whose dates lie
outside says so: ``DateField(window=False, validators=[born])`` for a date of birth. Every form
in shop and payroll uses these (``tests/test_architecture.py`` fails on a plain Django one).

Numbers: ``IntegerField`` and ``DecimalField`` take ASCII digits only (Python's ``int()`` and
``Decimal()`` read "３" as 3).

``ADMIN_FORMFIELD_OVERRIDES``: the admin's ``formfield_overrides``, so the admin's forms for
model date, date-time and number fields get the same checks (the admin keeps its widgets). A
model date that is a date of birth is a ``BirthDateField``, whose form field is unwindowed and
checked by ``validators.born`` instead, in the admin and in any model form.

``choices_read``: a model choice field shown from objects the page has already read (a
select otherwise reads its queryset twice: once for its first option, once to list them).

``QuickSelect``: a ``<select>`` of flat choices written in Python, the same HTML as Django's
``Select`` (which renders three templates per option: a list of the 50 states cost half the
cart page's time).
"""
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from shop.platform.validators import EARLIEST_DATE, LATEST_DATE, MAX_ID, ascii_int, born, sane_date


def _in_range(field, value) -> None:
    if field.to_field_name is None and value not in field.empty_values:
        text = str(value)
        number = ascii_int(text) if len(text) <= 40 else None  # (int() refuses 4,301 digits and more)
        if number is None or not 0 < number <= MAX_ID:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": str(value)[:40]})


class ModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        _in_range(self, value)
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple, set, frozenset)) else [value]:
            try:
                _in_range(self, pk)
            except ValidationError:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": str(pk)[:40]}) from None
        return super()._check_values(value)


def choices_read(field: forms.ModelChoiceField, objects) -> None:
    """Show ``objects`` (already read, in the queryset's order) as ``field``'s choices, so that
    rendering the form costs no query. A posted value is still checked against the queryset."""
    empty = [] if field.empty_label is None else [("", field.empty_label)]
    field.choices = empty + [(obj.pk, field.label_from_instance(obj)) for obj in objects]


def _ascii_only(field, value) -> None:
    """Typed text with anything but ASCII (a Unicode digit, an RTL mark) is not a date or a number."""
    if isinstance(value, str) and not value.isascii():
        raise ValidationError(field.error_messages["invalid"], code="invalid")


def _in_window(value) -> None:
    sane_date(value.date() if isinstance(value, datetime.datetime) else value)


class DateField(forms.DateField):
    """A date typed in ASCII digits, between 2000 and 2100 unless ``window=False``.
    Shown as the browser's date picker (``type="date"``, with the window as min and max)
    unless a widget is given."""

    def __init__(self, *, window: bool = True, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        self.window = window
        super().__init__(**kwargs)
        if window:
            self.validators.append(_in_window)

    def to_python(self, value):
        _ascii_only(self, value)
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.window and widget.attrs.get("type", getattr(widget, "input_type", None)) == "date":
            attrs.update({key: value for key, value in (("min", EARLIEST_DATE.isoformat()), ("max", LATEST_DATE.isoformat()))
                          if key not in widget.attrs})
        return attrs


class TimeField(forms.TimeField):
    """A time of day typed in ASCII digits."""

    def to_python(self, value):
        _ascii_only(self, value)
        return super().to_python(value)


class DateTimeField(forms.DateTimeField):
    """A date and time typed in ASCII digits, on a day between 2000 and 2100 unless ``window=False``."""

    def __init__(self, *, window: bool = True, **kwargs):
        self.window = window
        super().__init__(**kwargs)
        if window:
            self.validators.append(_in_window)

    def to_python(self, value):
        _ascii_only(self, value)
        try:
            return super().to_python(value)
        except OverflowError:  # a time zone offset past year 1 or 9999
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class SplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time pair, with the checks of ``DateField`` and ``TimeField``."""

    def __init__(self, *, window: bool = True, input_date_formats=None, input_time_formats=None, **kwargs):
        super().__init__(input_date_formats=input_date_formats, input_time_formats=input_time_formats, **kwargs)
        day, time = self.fields
        ours = (DateField(window=window, input_formats=input_date_formats, widget=day.widget,
                          error_messages=day.error_messages, localize=day.localize),
                TimeField(input_formats=input_time_formats, widget=time.widget,
                          error_messages=time.error_messages, localize=time.localize))
        for new, old in zip(ours, self.fields):
            new.required, new.disabled = old.required, old.disabled
        self.fields = ours

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date") from None


def _database_integer(value) -> None:
    if value is not None and not -MAX_ID <= value <= MAX_ID:
        raise ValidationError("Enter a smaller number.", code="max_value")


class IntegerField(forms.IntegerField):
    """A whole number typed in ASCII digits, never past what a database integer holds."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_database_integer)

    def to_python(self, value):
        _ascii_only(self, value)
        return super().to_python(value)


class DecimalField(forms.DecimalField):
    """A decimal number typed in ASCII digits."""

    def to_python(self, value):
        _ascii_only(self, value)
        return super().to_python(value)


class BirthDateField(models.DateField):
    """A model's date of birth: its form field (the admin's, a model form's) is not held to the
    2000-2100 window and refuses what ``validators.born`` refuses instead."""

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "form_class": DateField, "window": False,
                                    "validators": [*kwargs.get("validators", ()), born]})


# For ``ModelAdmin.formfield_overrides`` (the admin looks a field up by its class's MRO, so
# PositiveIntegerField and the like are covered; the admin's own widgets are kept).
ADMIN_FORMFIELD_OVERRIDES = {
    models.DateField: {"form_class": DateField},
    models.DateTimeField: {"form_class": SplitDateTimeField},
    models.TimeField: {"form_class": TimeField},
    models.IntegerField: {"form_class": IntegerField},
    models.DecimalField: {"form_class": DecimalField},
}
def _attributes(attrs: dict) -> str:
    """As Django's widgets/attrs.html writes them: True a bare name, False (and None) left out."""
    return "".join(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
                   for name, value in attrs.items() if value is not False and value is not None)


_RENDERED_SELECTS: dict[tuple, str] = {}  # QuickSelect's HTML by what it depends on (plain choices only)
_RENDERED_SELECTS_MAX = 512


class QuickSelect(forms.Select):
    """Django's ``Select``, rendered without templates for flat choices (with option groups,
    Django's own templates). Same attributes, selection and escaping. When every choice is a
    plain (value, label) pair of strings (a list of states), the HTML is kept per process by
    name, value, attributes and choices, so the same select is written once."""

    def render(self, name, value, attrs=None, renderer=None):
        key = self._memo_key(name, value, attrs)
        if key is not None and key in _RENDERED_SELECTS:
            return mark_safe(_RENDERED_SELECTS[key])  # noqa: S308 - escaped when it was made
        html = self._render_quick(name, value, attrs, renderer)
        if key is not None:
            if len(_RENDERED_SELECTS) >= _RENDERED_SELECTS_MAX:
                _RENDERED_SELECTS.clear()
            _RENDERED_SELECTS[key] = str(html)
        return html

    def _memo_key(self, name, value, attrs) -> tuple | None:
        choices = self.choices
        if not isinstance(choices, (list, tuple)) or not all(
                type(choice) is tuple and len(choice) == 2 and type(choice[0]) is str and type(choice[1]) is str
                for choice in choices):
            return None  # lazy labels, model choices, groups: rendered each time
        final = self.build_attrs(self.attrs, attrs)
        if not all(type(v) in (str, bool, int) or v is None for v in final.values()):
            return None
        return (name, tuple(self.format_value(value)), self.allow_multiple_selected,
                tuple(sorted(final.items())), tuple(choices))

    def _render_quick(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "\n".join(
            f'<option value="{escape(option["value"])}"{_attributes(option["attrs"])}>{conditional_escape(option["label"])}</option>'
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        )
        opening = f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>'
        return mark_safe("\n".join((opening, options, "</select>")))  # noqa: S308


class ConstantChoiceField(forms.ChoiceField):
    """A ``ChoiceField`` whose choices are the same for every form (the states): each form's
    copy of the field shares the list instead of deep-copying its ~60 pairs (with the other
    fields' copies, a tenth of the cart page). Giving one form's field other ``choices`` still
    gives it a list of its own (the setter replaces the list, never changes it)."""

    def __deepcopy__(self, memo):
        result = super(forms.ChoiceField, self).__deepcopy__(memo)  # Field's: widget, messages, validators
        result._choices = self._choices
        return result


class QuickTextInput(forms.TextInput):
    """Django's ``TextInput`` written in Python: the same HTML as its ``input.html`` and
    ``attrs.html`` templates (the type, name, value when there is one, then the attributes),
    without rendering two templates per field."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(  # noqa: S308 - every part escaped above
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}{_attributes(widget["attrs"])}>')
