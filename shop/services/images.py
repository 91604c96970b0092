"""Product pictures: staff upload them (or the demo draws them); the worker makes their renditions.

An upload is checked here before anything is stored: a real JPEG, PNG or WebP that Pillow can
decode, at most ``MAX_UPLOAD_BYTES`` and ``MAX_PIXELS``, at least ``MIN_SIDE`` pixels a side;
each broken rule is an ``ImageError`` a person can read (the admin shows it on the field).

Renditions (``product_image_make_renditions``, run by ``shop.tasks.make_product_renditions``
after the commit) are the picture at each of ``RENDITION_WIDTHS`` up to its own width, as WebP
and as a JPEG (a PNG when it has transparency) for browsers without WebP. Their file names are
the source's content hash and the width, so a task run again, or retried after a crash half-way,
finds the files it made and writes nothing twice; an image whose renditions are recorded is
left alone.
"""
import hashlib
import io
import warnings
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps, UnidentifiedImageError

from shop.models import Product, ProductImage
from shop.platform import page_cache
from shop.platform.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 x 5000: decoding one stays within a worker's memory
MIN_SIDE = 200
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
RENDITION_WIDTHS = (320, 640, 1000, 1600)
RENDITION_DIR = "products/renditions"
WEBP_QUALITY = 80
JPEG_QUALITY = 84


class ImageError(DomainError):
    pass


def product_image_check(upload) -> tuple[int, int]:
    """The upload's width and height if it is a picture we take, else an ``ImageError``."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ImageError(f"The file is {size / 1024 / 1024:.1f} MB; a picture can be at most "
                         f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
    if size == 0:
        raise ImageError("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            picture = Image.open(upload)
            kind, (width, height) = picture.format, picture.size
            if kind not in FORMATS:
                raise ImageError(f"This is a {kind} file; upload a JPEG, PNG or WebP picture.")
            if width * height > MAX_PIXELS:
                raise ImageError(f"The picture is {width} x {height} pixels; at most {MAX_PIXELS // 1_000_000} "
                                 "million pixels are taken (5000 x 5000).")
            picture.verify()
            upload.seek(0)
            Image.open(upload).load()  # verify() reads the structure; a truncated picture fails only here
    except ImageError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(f"The picture is too large; at most {MAX_PIXELS // 1_000_000} million pixels are taken.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError("This file is not a picture we can read; upload a JPEG, PNG or WebP picture.")
    finally:
        upload.seek(0)
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"The picture is {width} x {height} pixels; it needs at least {MIN_SIDE} pixels a side.")
    return width, height


def _alt(alt_text: str) -> str:
    alt_text = " ".join((alt_text or "").split())
    if not alt_text:
        raise ImageError("Describe what the picture shows (its alt text), for people who cannot see it.")
    return alt_text[:200]


@transaction.atomic
def product_image_create(product: Product, upload, alt_text: str, position: int | None = None) -> ProductImage:
    """Add a picture to the product's gallery (last, unless a position is given); its
    renditions are made by the worker once this commits."""
    alt_text = _alt(alt_text)
    width, height = product_image_check(upload)
    if position is None:
        last = ProductImage.objects.filter(product=product).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    image = ProductImage(product=product, alt_text=alt_text, position=position, width=width, height=height)
    image.image.save(PurePosixPath(upload.name or "picture").name, upload, save=False)
    image.save()
    product_image_schedule_renditions(image)
    return image


@transaction.atomic
def product_image_update(image: ProductImage, *, alt_text: str, position: int, upload=None) -> ProductImage:
    """Change a picture's alt text or place in the gallery, or replace the picture itself
    (its renditions are then made again)."""
    image.alt_text = _alt(alt_text)
    image.position = position
    fields = ["alt_text", "position"]
    if upload is not None:
        image.width, image.height = product_image_check(upload)
        image.image.save(PurePosixPath(upload.name or "picture").name, upload, save=False)
        image.renditions = {}
        fields += ["image", "width", "height", "renditions"]
    image.save(update_fields=fields)
    if upload is not None:
        product_image_schedule_renditions(image)
    return image


@transaction.atomic
def product_image_delete(image: ProductImage) -> None:
    image.delete()  # its files stay: renditions are shared by content, and a cached page may still name them


def product_image_schedule_renditions(image: ProductImage) -> None:
    """Enqueue the renditions once the image row is committed."""
    from shop.tasks import make_product_renditions

    transaction.on_commit(lambda: make_product_renditions.delay(image.pk))


def product_image_make_renditions(image_id: int) -> ProductImage | None:
    """Write the picture's renditions and record them. Idempotent (see the module)."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or image.renditions or not image.image:
        return image
    storage = image.image.storage
    with storage.open(image.image.name, "rb") as source:
        data = source.read()
    digest = hashlib.sha256(data).hexdigest()[:20]
    picture = Image.open(io.BytesIO(data))  # the header only, until a rendition is missing
    transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    fallback_format, fallback_ext = ("PNG", "png") if transparent else ("JPEG", "jpg")
    width, height = picture.size
    if picture.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF: stored on its side, shown upright
        width, height = height, width
    widths = sorted({w for w in RENDITION_WIDTHS if w < width} | {min(width, RENDITION_WIDTHS[-1])})
    made = {"webp": [], "fallback": [], "fallback_type": f"image/{fallback_format.lower()}"}
    upright = None
    for w in widths:
        h, resized = max(1, round(height * w / width)), None
        for key, fmt, ext in (("webp", "WEBP", "webp"), ("fallback", fallback_format, fallback_ext)):
            name = f"{RENDITION_DIR}/{digest}-{w}.{ext}"
            if not storage.exists(name):  # made before: by this image's earlier run, or the same picture elsewhere
                if upright is None:
                    upright = ImageOps.exif_transpose(picture).convert("RGBA" if transparent else "RGB")
                if resized is None:
                    resized = upright if w == width else upright.resize((w, h), Image.LANCZOS, reducing_gap=3.0)
                name = storage.save(name, ContentFile(_encode(resized, fmt)))
            made[key].append([w, h, name])
    updated = ProductImage.objects.filter(pk=image.pk, image=image.image.name).update(
        renditions=made, width=width, height=height)
    if updated:
        page_cache.changed(page_cache.CATALOG)
        image.renditions = made
    return image


def _encode(picture: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "WEBP":
        picture.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=2)
    elif fmt == "JPEG":
        picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
