import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from shop.services.images import product_image_create, product_image_make_thumbnail
from tests.support.factories import ProductFactory

pytestmark = pytest.mark.django_db


def png(size=(1200, 800)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#7a2e3a").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="big.png")


def test_thumbnail_is_made_after_commit_and_only_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = product_image_create(ProductFactory(), png(), alt_text="A tote")
    image.refresh_from_db()
    assert not image.thumbnail  # nothing happens before the commit
    for callback in callbacks:  # the commit: the thumbnail task (and the catalog cache bump) run
        callback()
    image.refresh_from_db()
    with image.thumbnail.open("rb") as f:
        assert Image.open(f).size == (480, 320)
    name = image.thumbnail.name
    product_image_make_thumbnail(image.pk)  # a retried task changes nothing
    image.refresh_from_db()
    assert image.thumbnail.name == name


def test_thumbnail_task_for_a_deleted_image_is_a_no_op():
    assert product_image_make_thumbnail(987654) is None
