from django import forms


class LookupForm(forms.Form):
    email = forms.EmailField(label="The person's e-mail address")


class EraseForm(forms.Form):
    email = forms.EmailField(label="The person's e-mail address")
    email_again = forms.EmailField(label="The same address again, to confirm")

    def clean(self):
        data = super().clean()
        first, again = data.get("email", ""), data.get("email_again", "")
        if first and again and first.strip().lower() != again.strip().lower():
            self.add_error("email_again", "The two addresses differ: nothing was erased.")
        return data
