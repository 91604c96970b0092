"""Staff keep Florida's county surtax table (``shop/models/surtax.py``): every change is checked
and on the audit trail. The checkout reads it through ``shop/selectors/surtax.py``."""
from django.db import transaction

from shop.models import CountySurtax
from shop.platform.audit import audit_record


@transaction.atomic
def county_surtax_save(row: CountySurtax, staff_user=None, created: bool = False) -> CountySurtax:
    """Save a county's surtax as staff set it (checked by the model's validators), audited."""
    row.full_clean()
    row.save()
    audit_record("county_surtax.added" if created else "county_surtax.changed", actor=staff_user, target=row,
                 county=row.county, rate=row.rate, cap=row.cap)
    return row


@transaction.atomic
def county_surtax_delete(row: CountySurtax, staff_user=None) -> None:
    """Remove a county's row: its sales are charged no surtax from then on."""
    audit_record("county_surtax.removed", actor=staff_user, target=row, county=row.county, rate=row.rate)
    row.delete()
