"""``QuickSelect`` (shop/platform/form_fields.py) writes the same <select> as Django's Select,
without its templates: same options, selection, attributes and escaping."""
import pytest
from django import forms
from django.test.html import parse_html

from shop.platform.form_fields import QuickSelect

CHOICES = [("", "Choose a state"), ("FL", "Florida"), ("NY", "New York"), ('"><b>', "<script>alert(1)</script> & co")]


def both(value, attrs=None, choices=CHOICES):
    quick = QuickSelect(choices=choices).render("state", value, attrs)
    django = forms.Select(choices=choices).render("state", value, attrs)
    return quick, django


@pytest.mark.parametrize("value", [None, "", "FL", "NY", '"><b>', "XX"])
def test_the_same_html_as_djangos_select(value):
    quick, django = both(value, {"id": "id_state", "required": True, "aria-describedby": "id_state-error"})
    assert parse_html(quick) == parse_html(django)


def test_selection_escaping_and_boolean_attributes():
    quick, _ = both("FL", {"id": "id_state", "required": True, "disabled": False})
    assert '<option value="FL" selected>Florida</option>' in quick
    assert '<option value="NY">New York</option>' in quick
    assert '<option value="&quot;&gt;&lt;b&gt;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</option>' in quick
    assert quick.startswith('<select name="state" id="id_state" required>')
    assert "disabled" not in quick and "<script>" not in quick


def test_option_groups_fall_back_to_djangos_templates():
    grouped = [("South", [("FL", "Florida")]), ("North", [("NY", "New York")])]
    quick, django = both("NY", {"id": "id_state"}, grouped)
    assert "<optgroup" in quick
    assert parse_html(quick) == parse_html(django)


def test_a_bound_form_field_renders_through_it():
    class StateForm(forms.Form):
        state = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(StateForm({"state": "NY"})["state"])
    assert '<option value="NY" selected>New York</option>' in html
    assert 'id="id_state"' in html


def test_the_html_kept_for_a_select_is_per_value_attributes_and_choices():
    """A plain select is written once per process and kept (issue 18); what is kept must
    follow the value, the attributes and the choices, never show another's selection."""
    select = QuickSelect(choices=CHOICES)
    florida = select.render("state", "FL", {"id": "id_state"})
    assert select.render("state", "FL", {"id": "id_state"}) == florida
    new_york = select.render("state", "NY", {"id": "id_state"})
    assert '<option value="NY" selected>' in new_york and '<option value="FL">Florida</option>' in new_york
    assert 'id="id_other"' in select.render("state", "FL", {"id": "id_other"})
    assert 'name="ship_state"' in select.render("ship_state", "FL", {"id": "id_state"})
    fewer = QuickSelect(choices=CHOICES[:2]).render("state", "FL", {"id": "id_state"})
    assert "New York" not in fewer and parse_html(fewer) == parse_html(forms.Select(choices=CHOICES[:2]).render(
        "state", "FL", {"id": "id_state"}))


@pytest.mark.parametrize("value", [None, "", "12345", '"><b> & co'])
def test_quick_text_input_is_djangos_text_input(value):
    from shop.platform.form_fields import QuickTextInput

    attrs = {"autocomplete": "shipping postal-code", "inputmode": "numeric", "maxlength": 10}
    extra = {"id": "id_postal_code", "required": True, "aria-invalid": "true"}
    assert QuickTextInput(attrs=dict(attrs)).render("postal_code", value, extra) == \
        forms.TextInput(attrs=dict(attrs)).render("postal_code", value, extra)


def test_constant_choice_field_shares_its_choices_and_keeps_a_changed_list_its_own():
    from shop.platform.form_fields import ConstantChoiceField

    class Form(forms.Form):
        state = ConstantChoiceField(choices=CHOICES, required=False)

    first, second = Form(), Form()
    assert first.fields["state"].choices is Form.base_fields["state"].choices
    first.fields["state"].choices = [("FL", "Florida")]
    assert second.fields["state"].choices == CHOICES and len(Form().fields["state"].choices) == 4  # 4 pairs in CHOICES
