"""Staff roles are Django groups, created by migrations. Each sees only its own domain."""
SHOP_STAFF = "Shop staff"
PAYROLL_STAFF = "Payroll staff"
PROGRAM_STAFF = "Program staff"
VOLUNTEER_COORDINATOR = "Volunteer coordinator"

STAFF_ROLES = (SHOP_STAFF, PAYROLL_STAFF, PROGRAM_STAFF, VOLUNTEER_COORDINATOR)

# Model permissions each role gets in the shop app (payroll's migrations add their own).
SHOP_STAFF_MODELS = ("category", "product", "productvariant", "productimage", "shippingmethod", "taxrate")


ROLE_CACHE = "_mended_role_names"


def user_role_names(user) -> frozenset[str]:
    """The staff roles (group names) of ``user``, read once per user object (one query per request).

    ``shop.apps`` clears it when the user's groups change (``m2m_changed``)."""
    if not user.is_authenticated:
        return frozenset()
    names = getattr(user, ROLE_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, ROLE_CACHE, names)
    return names


def forget_role_names(sender, instance, **kwargs) -> None:
    """m2m_changed receiver: a user's groups changed, so read them again next time."""
    instance.__dict__.pop(ROLE_CACHE, None)


def user_has_role(user, role: str) -> bool:
    return user.is_authenticated and (user.is_superuser or role in user_role_names(user))


def role_required(role: str):
    """View decorator: anonymous people are sent to log in; others without the role get 403."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def grant_permissions(apps, group_name: str, app_label: str, codenames=None, models=None) -> None:
    """For data migrations: give a role the named permissions (or all of some models').

    Permissions are normally created after every migration has run; this creates them
    first so a migration can hand them out.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(content_type__app_label=app_label)
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
    if models is not None:
        permissions = permissions.filter(content_type__model__in=models)
    group.permissions.add(*permissions)
