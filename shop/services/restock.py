"""'E-mail me when it's back': a shopper leaves an address for a sold-out variant (once per
address and variant); when stock returns, each waiting request is marked notified in the
transaction that put the stock back, and one e-mail per request leaves from a Celery task
enqueued on commit. A request is notified once: a later sell-out and restock sends nothing
more to it (the shopper asks again)."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.models import ProductVariant, RestockRequest
from shop.platform import mail
from shop.platform.errors import DomainError


class RestockError(DomainError):
    pass


def restock_request_add(variant_id: int, email: str) -> tuple[RestockRequest, bool]:
    """Record the request, or find the one this address already made. Returns (request, new).

    Only a sold-out variant of an active product takes requests."""
    email = email.strip().lower()
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id, product__is_active=True).first()
    if variant is None:
        raise RestockError("That option is not sold here.")
    if variant.stock > 0:
        raise RestockError(f"{variant} is in stock: add it to your cart.")
    existing = RestockRequest.objects.filter(variant=variant, email__iexact=email, notified_at__isnull=True).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            # An old, already notified request for this address is asked again: reopened, not doubled.
            old = RestockRequest.objects.select_for_update().filter(variant=variant, email__iexact=email).first()
            if old is not None:
                old.notified_at = old.emailed_at = None
                old.save(update_fields=["notified_at", "emailed_at"])
                return old, True
            return RestockRequest.objects.create(variant=variant, email=email), True
    except IntegrityError:  # the same address a moment earlier, from another request
        return RestockRequest.objects.get(variant=variant, email__iexact=email), False


def restock_requests_release(variant_ids) -> int:
    """Call in the transaction that put stock back on these variants: every waiting request
    for one that now has stock is marked notified, and its e-mail is queued for after the
    commit (a rolled-back restock e-mails nobody). Returns how many were queued."""
    ids = sorted({int(pk) for pk in variant_ids})
    if not ids:
        return 0
    with transaction.atomic():
        in_stock = ProductVariant.objects.filter(pk__in=ids, stock__gt=0, product__is_active=True).values("pk")
        waiting = list(RestockRequest.objects.select_for_update()
                       .filter(variant__in=in_stock, notified_at__isnull=True).order_by("pk").values_list("pk", flat=True))
        if not waiting:
            return 0
        RestockRequest.objects.filter(pk__in=waiting).update(notified_at=timezone.now())
        from shop.tasks import send_restock_notice

        for request_id in waiting:
            transaction.on_commit(lambda request_id=request_id: send_restock_notice.delay(request_id))
    return len(waiting)


@transaction.atomic
def restock_send_notice(request_id: int) -> bool:
    """The one "it's back" e-mail of a notified request. Returns True if sent now."""
    request = (RestockRequest.objects.select_for_update(of=("self",)).select_related("variant__product")
               .filter(pk=request_id).first())
    if request is None or request.notified_at is None or request.emailed_at is not None:
        return False
    product = request.variant.product
    link = settings.SITE_URL.rstrip("/") + product.get_absolute_url()
    mail.send(to=[request.email], subject=f"{product.name} is back in stock", template="shop/email/restock_notice",
              context={"variant": request.variant, "product": product, "link": link})
    request.emailed_at = timezone.now()
    request.save(update_fields=["emailed_at"])
    return True
