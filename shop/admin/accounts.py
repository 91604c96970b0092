"""Customer and staff accounts: our users, and Django's groups and allauth's e-mail addresses and
authenticators re-registered on the project's admin base (``shop/admin/base.py``)."""
from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from shop.admin.base import Guarded
from shop.models import User

# Importing Django's and allauth's admin modules above registered their admins (autodiscovery
# would import them after ours); each is registered again here on the base.
for model in (Group, EmailAddress, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(Guarded, DjangoUserAdmin):
    list_display = ("email", "first_name", "last_name", "is_staff", "date_joined")
    search_fields = ("email", "first_name", "last_name", "username")
    ordering = ("email",)


@admin.register(Group)
class GroupAdmin(Guarded, DjangoGroupAdmin):
    pass


@admin.register(EmailAddress)
class EmailAddressAdmin(Guarded, AllauthEmailAddressAdmin):
    pass


@admin.register(Authenticator)
class AuthenticatorAdmin(Guarded, AllauthAuthenticatorAdmin):
    pass
