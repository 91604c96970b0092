"""Staff roles are Django groups, created by migrations. Each sees only its own domain."""
SHOP_STAFF = "Shop staff"
PAYROLL_STAFF = "Payroll staff"
PROGRAM_STAFF = "Program staff"
VOLUNTEER_COORDINATOR = "Volunteer coordinator"

STAFF_ROLES = (SHOP_STAFF, PAYROLL_STAFF, PROGRAM_STAFF, VOLUNTEER_COORDINATOR)

# Model permissions each role gets in the shop app (payroll's migrations add their own).
SHOP_STAFF_MODELS = ("category", "product", "productvariant", "productimage", "shippingmethod", "taxrate")


def user_has_role(user, role: str) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=role).exists())
