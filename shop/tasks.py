"""Shop's Celery tasks: thin wrappers that take ids and call a service."""
from celery import shared_task

from shop.services.images import product_image_make_thumbnail


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def make_product_thumbnail(image_id: int) -> None:
    product_image_make_thumbnail(image_id)
