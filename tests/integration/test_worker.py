"""A task enqueued with transaction.on_commit runs in the real Celery worker process."""
import io
import os
import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from shop.models import Category, Product, ProductImage
from shop.services.images import product_image_create
from tests.support.processes import capture_tasks, wait_for

RENDITIONS_TASK = "shop.tasks.make_product_renditions"


def make_product() -> Product:
    suffix = uuid.uuid4().hex[:8]
    category = Category.objects.create(name=f"Scarves {suffix}", slug=f"scarves-{suffix}")
    return Product.objects.create(
        category=category, name="Indigo scarf", slug=f"indigo-scarf-{suffix}", wage_content=Decimal("12.00")
    )


def png_file(size=(960, 640), name="scarf.png") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 60, 140)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


class Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_renditions_task_enqueued_on_commit_is_run_by_the_worker(celery_worker_process, celery_queue):
    worker = celery_worker_process
    product = make_product()
    mark = worker.log_mark()

    with capture_tasks() as tasks:
        with transaction.atomic():
            image = product_image_create(product, png_file(), alt_text="A folded indigo scarf")
            # Inside the transaction: the row exists here, but nothing has been sent yet.
            assert ProductImage.objects.get(pk=image.pk).renditions == {}
            assert tasks.published == []
        # The commit published exactly one task, to this session's queue, from here.
        assert [(t.name, t.args, t.routing_key) for t in tasks.published] == [(RENDITIONS_TASK, (image.pk,), celery_queue)]
        task_id = tasks.published[0].id

        renditions = wait_for(
            lambda: ProductImage.objects.values_list("renditions", flat=True).get(pk=image.pk),
            message=f"the worker to set ProductImage {image.pk}'s renditions",
            details=worker.describe,
        )
        worker.wait_task_succeeded(task_id, since=mark)

    # The worker process (its own log, its own pid) ran it; this process only published it.
    assert tasks.ran_locally == []
    assert f"{RENDITIONS_TASK}[{task_id}] received" in worker.log_since(mark)
    assert worker.alive and worker.pid != os.getpid()
    # Its files are in the storage this process reads: WebP and JPEG, 320, 640 and 960 wide.
    for key, kind in (("webp", "WEBP"), ("fallback", "JPEG")):
        assert [(w, h) for w, h, _name in renditions[key]] == [(320, 213), (640, 427), (960, 640)]
        with default_storage.open(renditions[key][0][2], "rb") as stored:
            rendition = Image.open(stored)
            rendition.load()
        assert (rendition.format, rendition.size) == (kind, (320, 213))


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_enqueues_nothing(celery_worker_process):
    worker = celery_worker_process
    product = make_product()
    mark = worker.log_mark()

    with capture_tasks() as tasks:
        with pytest.raises(Rollback):
            with transaction.atomic():
                image_pk = product_image_create(product, png_file(), alt_text="Never kept").pk
                raise Rollback
        assert image_pk is not None
        assert not ProductImage.objects.filter(pk=image_pk).exists()
        assert tasks.published == []

        # Anything published before the barrier has reached the worker by the time it returns.
        worker.barrier()

    log = worker.log_since(mark)
    assert RENDITIONS_TASK not in log, log
    assert "celery.accumulate[" in log
    assert tasks.ran_locally == []
