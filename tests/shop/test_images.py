"""Product pictures (shop/services/images.py): the upload's checks, the gallery's order, the
worker's renditions (made once, WebP and a fallback), and what the pages make of them."""
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from shop.admin.catalog import ProductImageForm
from shop.models import ProductImage
from shop.selectors.catalog import product_cards, product_detail
from shop.services import images
from shop.services.images import (
    ImageError,
    product_image_check,
    product_image_create,
    product_image_make_renditions,
    product_image_update,
)
from tests.shop.admin.test_base import product_post
from tests.support.factories import ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db


def picture(size=(1200, 800), fmt="PNG", mode="RGB", colour="#7a2e3a", name=None):
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format=fmt)
    return ContentFile(buffer.getvalue(), name=name or f"big.{fmt.lower()}")


def opened(name):
    with default_storage.open(name, "rb") as f:
        found = Image.open(f)
        found.load()
    return found


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``product_image_create`` with its commit: the renditions task runs (eagerly) at once."""
    def create(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            image = product_image_create(*args, **kwargs)
        image.refresh_from_db()
        return image
    return create


def rendition_files():
    try:
        return set(default_storage.listdir(images.RENDITION_DIR)[1])
    except FileNotFoundError:
        return set()


# -- the upload's checks -----------------------------------------------------------------------------

@pytest.mark.parametrize("upload, message", [
    (ContentFile(b"hello, not a picture", name="x.png"), "not a picture we can read"),
    (ContentFile(b"", name="x.png"), "The file is empty"),
    (picture(fmt="GIF"), "This is a GIF file; upload a JPEG, PNG or WebP picture."),
    (picture(size=(150, 600)), "The picture is 150 x 600 pixels; it needs at least 200 pixels a side."),
    (ContentFile(picture().read()[:300], name="cut.png"), "not a picture we can read"),  # truncated
])
def test_an_upload_that_is_not_a_picture_we_take_is_refused_with_a_reason(upload, message):
    with pytest.raises(ImageError) as error:
        product_image_check(upload)
    assert message in error.value.message


def test_the_size_limits(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1024 * 1024)
    big = ContentFile(b"\0" * (1024 * 1024 + 1), name="big.jpg")
    with pytest.raises(ImageError, match=r"The file is 1\.0 MB; a picture can be at most 1 MB\."):
        product_image_check(big)
    monkeypatch.setattr(images, "MAX_PIXELS", 1_000_000)
    with pytest.raises(ImageError, match="1001 x 1000 pixels; at most 1 million"):
        product_image_check(picture(size=(1001, 1000)))
    assert product_image_check(picture(size=(1000, 1000))) == (1000, 1000)
    assert product_image_check(picture(size=(300, 200), fmt="WEBP")) == (300, 200)


def test_alt_text_is_required_by_the_service_the_admin_form_and_the_database():
    product = ProductFactory()
    with pytest.raises(ImageError, match="Describe what the picture shows"):
        product_image_create(product, picture(), alt_text="  \t ")
    assert not ProductImage.objects.exists()

    form = ProductImageForm(data={"alt_text": " ", "position": "0"},
                            files={"image": SimpleUploadedFile("note.png", b"not a picture")})
    assert not form.is_valid()
    assert form.errors["alt_text"] == ["Describe what the picture shows (its alt text), for people who cannot see it."]
    assert "image" in form.errors  # Django's own check: not an image

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductImage.objects.create(product=product, image="products/x/a.png", alt_text="")


def test_the_admin_adds_a_picture_through_the_service_and_says_what_is_wrong(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    variant = VariantFactory()
    product = variant.product
    url = f"/admin/shop/product/{product.pk}/change/"
    upload = {"images-TOTAL_FORMS": "1", "images-0-product": str(product.pk), "images-0-position": "0"}

    small = SimpleUploadedFile("tiny.png", picture(size=(120, 120)).read(), content_type="image/png")
    response = client.post(url, product_post(product, variant, **upload, **{"images-0-alt_text": "A tote",
                                                                          "images-0-image": small}))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.forms[0].errors
    assert errors["image"] == ["The picture is 120 x 120 pixels; it needs at least 200 pixels a side."]
    assert not ProductImage.objects.exists()

    good = SimpleUploadedFile("tote.png", picture(size=(640, 640)).read(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, product_post(product, variant, **upload, **{"images-0-alt_text": "  A  tote ",
                                                                              "images-0-image": good}))
    assert response.status_code == 302
    image = ProductImage.objects.get()
    assert (image.alt_text, image.width, image.height) == ("A tote", 640, 640)
    assert [w for w, _h, _n in image.renditions["webp"]] == [320, 640]  # made by the task after the commit


# -- the gallery's order -----------------------------------------------------------------------------

def test_the_gallery_is_in_position_order_then_upload_order_and_a_new_picture_goes_last():
    product = ProductFactory(slug="tote")
    VariantFactory(product=product)
    product_image_create(product, picture(), alt_text="Back", position=2)
    product_image_create(product, picture(), alt_text="Front", position=0)
    product_image_create(product, picture(), alt_text="Side", position=2)
    last = product_image_create(product, picture(), alt_text="In use")  # no position: after the others
    assert last.position == 3
    assert [p.alt for p in product_detail("tote").images] == ["Front", "Back", "Side", "In use"]
    assert product_cards()[0]["picture"].alt == "Front"

    product_image_update(last, alt_text="In use on a shoulder", position=0)
    assert [p.alt for p in product_detail("tote").images] == ["Front", "In use on a shoulder", "Back", "Side"]


# -- the renditions ----------------------------------------------------------------------------------

def test_renditions_are_made_after_the_commit_in_several_widths_as_webp_and_jpeg(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = product_image_create(ProductFactory(), picture(size=(1600, 1200), colour="#123456"), alt_text="A tote")
    image.refresh_from_db()
    assert image.renditions == {} and (image.width, image.height) == (1600, 1200)  # nothing before the commit
    for callback in callbacks:  # the commit: the renditions task (and the catalog cache bump) run
        callback()
    image.refresh_from_db()
    made = image.renditions
    assert made["fallback_type"] == "image/jpeg"
    assert [(w, h) for w, h, _ in made["webp"]] == [(320, 240), (640, 480), (1000, 750), (1600, 1200)]
    assert [(w, h) for w, h, _ in made["fallback"]] == [(320, 240), (640, 480), (1000, 750), (1600, 1200)]
    for (w, h, name), fmt in [*((r, "WEBP") for r in made["webp"]), *((r, "JPEG") for r in made["fallback"])]:
        found = opened(name)
        assert (found.format, found.size) == (fmt, (w, h))


def test_the_renditions_task_run_again_makes_nothing_twice(monkeypatch, committed):
    image = committed(ProductFactory(), picture(size=(900, 900), colour="#345678"), alt_text="A scarf")
    made, files = image.renditions, rendition_files()
    assert len(made["webp"]) == 3 and {n.rsplit("/", 1)[1] for _w, _h, n in made["webp"]} <= files

    saves = []
    monkeypatch.setattr(default_storage, "save", lambda *a, **k: saves.append(a))
    product_image_make_renditions(image.pk)  # a retried task: the renditions are recorded, nothing happens
    ProductImage.objects.filter(pk=image.pk).update(renditions={})  # a run that died before recording them
    product_image_make_renditions(image.pk)
    image.refresh_from_db()
    assert saves == [] and rendition_files() == files
    assert image.renditions == made


def test_a_transparent_picture_falls_back_to_png_and_a_small_one_is_not_enlarged(committed):
    image = committed(ProductFactory(), picture(size=(600, 300), mode="RGBA", colour=(10, 20, 30, 0)),
                      alt_text="A keychain")
    assert image.renditions["fallback_type"] == "image/png"
    assert [(w, h) for w, h, _ in image.renditions["fallback"]] == [(320, 160), (600, 300)]
    assert opened(image.renditions["fallback"][-1][2]).format == "PNG"


def test_the_renditions_task_for_a_deleted_image_is_a_no_op():
    assert product_image_make_renditions(987654) is None


# -- the pages ---------------------------------------------------------------------------------------

def test_the_product_page_offers_webp_and_fallback_srcsets_with_alt_text_and_sizes(client, committed):
    product = ProductFactory(slug="market-tote", name="Market Tote")
    VariantFactory(product=product)
    front = committed(product, picture(size=(1000, 1000), colour="#aa5500"), alt_text="Market Tote, front")
    committed(product, picture(size=(1000, 1000), colour="#0055aa"), alt_text="Market Tote, handles")
    html = client.get("/shop/product/market-tote/").content.decode()
    webp = ", ".join(f"/media/{n} {w}w" for w, _h, n in front.renditions["webp"])
    jpeg = ", ".join(f"/media/{n} {w}w" for w, _h, n in front.renditions["fallback"])
    main = re.search(r'<a class="gallery-main".*?</a>', html, re.S).group(0)
    assert f'<source type="image/webp" srcset="{webp}"' in main
    assert f'srcset="{jpeg}"' in main
    assert 'alt="Market Tote, front" width="1000" height="1000"' in main
    assert f'src="/media/{front.renditions["fallback"][1][2]}"' in main  # the 640 one
    thumbs = re.findall(r'<a class="gallery-thumb".*?</a>', html, re.S)
    assert len(thumbs) == 2 and 'aria-current="true"' in thumbs[0] and 'aria-current' not in thumbs[1]
    assert 'alt="Picture 2 of 2: Market Tote, handles"' in thumbs[1] and 'loading="lazy"' in thumbs[1]
    assert '<dialog class="zoom-dialog"' in html
    assert 'src="/static/shop/js/gallery.js" defer' in html  # a file, not an inline script (CSP)


def test_a_card_shows_the_first_picture_with_its_srcset(client, committed):
    product = ProductFactory(name="Zip Pouch", slug="zip-pouch")
    VariantFactory(product=product)
    committed(product, picture(size=(800, 800), colour="#00aa55"), alt_text="Zip Pouch in Teal", position=1)
    second = committed(product, picture(size=(800, 800)), alt_text="Zip Pouch, detail", position=5)
    card = re.search(r'<li class="card">.*?</li>', client.get("/shop/").content.decode(), re.S).group(0)
    assert 'alt="Zip Pouch in Teal"' in card and "detail" not in card
    assert card.count(" 320w, ") == 2 and '<source type="image/webp"' in card and 'loading="lazy"' in card
    assert second.renditions["webp"][0][2] not in card


def test_a_picture_without_renditions_yet_is_shown_as_uploaded(client):
    product = ProductFactory(slug="belt")
    VariantFactory(product=product)
    ProductImage.objects.create(product=product, image="products/belt/belt.jpg", alt_text="A belt")
    html = client.get("/shop/product/belt/").content.decode()
    assert '<img src="/media/products/belt/belt.jpg" alt="A belt" fetchpriority="high">' in html
    assert "image/webp" not in html


def test_the_product_page_reads_two_queries_however_many_pictures_and_the_renditions_retire_its_cache(
        client, committed, django_assert_num_queries, django_capture_on_commit_callbacks):
    product = ProductFactory(slug="quilted-throw")
    VariantFactory(product=product)
    VariantFactory(product=product)
    for i in range(4):
        committed(product, picture(size=(700, 700), colour=(10 * i, 90, 120)), alt_text=f"Throw {i}")
    with django_assert_num_queries(2):  # the product with its category and variants, its pictures
        first = client.get("/shop/product/quilted-throw/")
    assert first.content.decode().count('<a class="gallery-thumb"') == 4
    with django_assert_num_queries(0):  # kept: the next visitor's page is the cache's
        client.get("/shop/product/quilted-throw/")

    with django_capture_on_commit_callbacks(execute=False):  # a new picture, its renditions not yet made
        late = product_image_create(product, picture(size=(700, 700), colour="#abcdef"), alt_text="Throw, late")
    assert "image/webp" not in re.search(r'Throw, late.*?</a>', client.get("/shop/product/quilted-throw/")
                                         .content.decode(), re.S).group(0)
    product_image_make_renditions(late.pk)  # the worker, later: the cached page is retired
    late.refresh_from_db()
    assert late.renditions["webp"][0][2] in client.get("/shop/product/quilted-throw/").content.decode()
