"""Form fields that refuse, with a message, what the stock ones pass on to the database.

Django's model choice fields send whatever integer was posted into a query: 2**64 makes
SQLite raise OverflowError and PostgreSQL an out-of-range error, both a 500. These check the
value is an id a database can hold first, and answer "Select a valid choice" otherwise.

``choices_read``: a model choice field shown from objects the page has already read (a
select otherwise reads its queryset twice: once for its first option, once to list them).
"""
from django import forms
from django.core.exceptions import ValidationError

from shop.platform.validators import MAX_ID, ascii_int


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
