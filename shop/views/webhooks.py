from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.platform import stripe_gateway as gateway
from shop.platform.security import raw_body
from shop.services.stripe_events import stripe_event_record


@raw_body
@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store once, enqueue on commit, answer at once. A bad signature writes nothing."""
    try:
        event = gateway.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
    except gateway.WebhookRefused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    if not event.get("id"):
        return JsonResponse({"error": "The event has no id."}, status=400)
    _, created = stripe_event_record(event)
    return JsonResponse({"received": True, "duplicate": not created})
