"""Form fields that refuse, with a message, what the stock ones pass on to the database.

Django's model choice fields send whatever integer was posted into a query: 2**64 makes
SQLite raise OverflowError and PostgreSQL an out-of-range error, both a 500. These check the
value is an id a database can hold first, and answer "Select a valid choice" otherwise.

``choices_read``: a model choice field shown from objects the page has already read (a
select otherwise reads its queryset twice: once for its first option, once to list them).

``QuickSelect``: a ``<select>`` of flat choices written in Python, the same HTML as Django's
``Select`` (which renders three templates per option: a list of the 50 states cost half the
cart page's time).
"""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from shop.platform.validators import MAX_ID, ascii_int


def _in_range(field, value) -> None:
    if field.to_field_name is None and value not in field.empty_values:
        number = ascii_int(str(value))
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


def _attributes(attrs: dict) -> str:
    """As Django's widgets/attrs.html writes them: True a bare name, False (and None) left out."""
    return "".join(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
                   for name, value in attrs.items() if value is not False and value is not None)


class QuickSelect(forms.Select):
    """Django's ``Select``, rendered without templates for flat choices (with option groups,
    Django's own templates). Same attributes, selection and escaping."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "\n".join(
            f'<option value="{escape(option["value"])}"{_attributes(option["attrs"])}>{conditional_escape(option["label"])}</option>'
            for _name, choices, _index in widget["optgroups"]
            for option in choices
        )
        return mark_safe(f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>\n{options}\n</select>')  # noqa: S308
