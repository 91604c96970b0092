"""The sign-up form: it never tells whether an address already has an account.

allauth hides a taken address at sign-up only when e-mail verification is mandatory for
every login (``ACCOUNT_PREVENT_ENUMERATION`` with ``"optional"`` verification still says
"A user is already registered with this email address"). Mended keeps verification
optional at login (staff and customers made before it have no verified address and must
still get in), and makes only the sign-up answer the same for both: a new address gets
its account and allauth's confirmation e-mail, a taken one gets allauth's "someone tried
to sign up with your address" e-mail to its owner and no account; both are shown the
"check your e-mail" page and neither is logged in.
"""
from allauth.account import app_settings
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.utils import complete_signup, filter_users_by_email, perform_login

SIGNUP_VERIFICATION = app_settings.EmailVerificationMethod.MANDATORY


class SignupForm(AllauthSignupForm):
    def validate_unique_email(self, value):
        self.account_already_exists = bool(filter_users_by_email(value))
        return value

    def try_save(self, request):
        if self.account_already_exists:  # the owner is told by e-mail; the visitor sees the same page
            return None, perform_login(request, None, email_verification=SIGNUP_VERIFICATION, signup=True,
                                       email=self.cleaned_data["email"])
        user = self.save(request)
        return user, complete_signup(request, user, SIGNUP_VERIFICATION, None)
