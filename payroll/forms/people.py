"""Payroll staff's page for adding an employee: identity, address, W-4, bank, pay rate, dates."""
from datetime import timedelta
from decimal import Decimal

from django import forms

from payroll.models import Employee, WithholdingCertificate
from payroll.validators import validate_ssn
from shop.platform.form_fields import DateField, DecimalField
from shop.platform.validators import born

W4_CHOICES = WithholdingCertificate.FilingStatus.choices
NO_AUTOFILL = {"autocomplete": "off", "spellcheck": "false"}


class EmployeeHireForm(forms.Form):
    legal_name = forms.CharField(max_length=200, label="Legal name (as on the W-4 and Social Security card)")
    preferred_name = forms.CharField(max_length=100, required=False, label="Chosen name",
                                     help_text="What staff call them; shown on products only with consent.")
    date_of_birth = DateField(required=False, window=False, validators=[born])
    ssn = forms.CharField(label="SSN", validators=[validate_ssn], widget=forms.TextInput(attrs=NO_AUTOFILL),
                          help_text="Shown afterwards as the last four only.")
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Home address",
                              help_text="Used only where the law asks where the employee lives: the Florida "
                                        "new-hire report and the W-4 on file.")
    mailing_address = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=300, label="Substitute mailing address (optional)",
        help_text="For example a Florida Address Confidentiality Program address. When given, W-2s, pay stubs and "
                  "everything mailed show it instead of the home address.")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    status = forms.ChoiceField(choices=Employee.Status.choices, initial=Employee.Status.TRAINEE)
    hire_date = DateField(label="Start date")
    i9_completed_on = DateField(label="Form I-9 completed on",
                                      help_text="Section 2 must be completed within three business days of the start date.")
    rate = DecimalField(label="Production pay rate ($ an hour)", max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    confirm_unusual = forms.BooleanField(required=False, label="Yes, this rate is right")
    # Form W-4 (2020 or later)
    filing_status = forms.ChoiceField(choices=W4_CHOICES, label="W-4 Step 1(c) filing status")
    step2_checkbox = forms.BooleanField(required=False, label="W-4 Step 2(c): multiple jobs")
    step3_credits = DecimalField(required=False, min_value=0, decimal_places=2, label="W-4 Step 3: credits ($)")
    step4a_other_income = DecimalField(required=False, min_value=0, decimal_places=2, label="W-4 Step 4(a): other income ($)")
    step4b_deductions = DecimalField(required=False, min_value=0, decimal_places=2, label="W-4 Step 4(b): deductions ($)")
    step4c_extra_withholding = DecimalField(required=False, min_value=0, decimal_places=2,
                                                  label="W-4 Step 4(c): extra withholding each pay period ($)")
    exempt = forms.BooleanField(required=False, label="Claims exemption from withholding")
    # Direct deposit (optional: without it the employee is paid by paper check)
    bank_routing = forms.CharField(required=False, label="Bank routing number", widget=forms.TextInput(attrs=NO_AUTOFILL))
    bank_account = forms.CharField(required=False, label="Bank account number", widget=forms.TextInput(attrs=NO_AUTOFILL))
    bank_account_type = forms.ChoiceField(required=False, choices=[("", "—"), *Employee.AccountType.choices],
                                          label="Account type")

    def clean(self):
        data = super().clean()
        bank = [data.get("bank_routing"), data.get("bank_account"), data.get("bank_account_type")]
        if any(bank) and not all(bank):
            self.add_error("bank_account", "Give the routing number, the account number and the account type, or none of them.")
        hire, i9 = data.get("hire_date"), data.get("i9_completed_on")
        if hire and i9 and i9 < hire - timedelta(days=365):
            self.add_error("i9_completed_on", "That is more than a year before the start date: check the date.")
        for name in ("step3_credits", "step4a_other_income", "step4b_deductions", "step4c_extra_withholding"):
            if data.get(name) is None:
                data[name] = Decimal("0")
        return data


class W4RequestForm(forms.Form):
    filing_status = EmployeeHireForm.base_fields["filing_status"]
    step2_checkbox = EmployeeHireForm.base_fields["step2_checkbox"]
    step3_credits = EmployeeHireForm.base_fields["step3_credits"]
    step4a_other_income = EmployeeHireForm.base_fields["step4a_other_income"]
    step4b_deductions = EmployeeHireForm.base_fields["step4b_deductions"]
    step4c_extra_withholding = EmployeeHireForm.base_fields["step4c_extra_withholding"]
    exempt = EmployeeHireForm.base_fields["exempt"]

    def clean(self):
        data = super().clean()
        for name in ("step3_credits", "step4a_other_income", "step4b_deductions", "step4c_extra_withholding"):
            if data.get(name) is None:
                data[name] = Decimal("0")
        return data


class AddressRequestForm(forms.Form):
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="New home address", max_length=300)


class BankRequestForm(forms.Form):
    routing = forms.CharField(label="Bank routing number", widget=forms.TextInput(attrs=NO_AUTOFILL))
    account = forms.CharField(label="Bank account number", widget=forms.TextInput(attrs=NO_AUTOFILL))
    account_type = forms.ChoiceField(choices=Employee.AccountType.choices, label="Account type")


REQUEST_FORMS = {"w4": W4RequestForm, "address": AddressRequestForm, "bank": BankRequestForm}
