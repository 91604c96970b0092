"""Product images: staff upload (or the demo seeds) a picture; a task makes its thumbnail."""
import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from shop.models import Product, ProductImage

THUMBNAIL_SIZE = (480, 480)


def product_image_create(product: Product, content: ContentFile, alt_text: str, position: int = 0) -> ProductImage:
    image = ProductImage(product=product, alt_text=alt_text, position=position)
    image.image.save(content.name, content, save=False)
    image.save()
    product_image_schedule_thumbnail(image)
    return image


def product_image_schedule_thumbnail(image: ProductImage) -> None:
    """Enqueue the thumbnail once the image row is committed."""
    from shop.tasks import make_product_thumbnail

    transaction.on_commit(lambda: make_product_thumbnail.delay(image.pk))


def product_image_make_thumbnail(image_id: int) -> ProductImage | None:
    """Write a JPEG thumbnail for the image. Idempotent: an image with one is left alone."""
    image = ProductImage.objects.select_related("product").filter(pk=image_id).first()
    if image is None or image.thumbnail:
        return image
    with image.image.open("rb") as source:
        picture = Image.open(source)
        picture.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="JPEG", quality=82, optimize=True)
    name = PurePosixPath(image.image.name).stem + "-thumb.jpg"
    image.thumbnail.save(name, ContentFile(buffer.getvalue()), save=False)
    ProductImage.objects.filter(pk=image.pk, thumbnail="").update(thumbnail=image.thumbnail.name)
    return image
