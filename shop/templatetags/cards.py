"""``{% product_grid products %}``: a listing's cards (``shop.selectors.catalog.product_cards``)
written in Python: the HTML the template loop wrote, with each run of whitespace between tags
one space (what a browser shows is the same; shop code writes no line breaks in strings, see
tests/test_architecture.py) (``shop/includes/product_grid.html`` holds only this tag). The loop resolved about fifteen variables and ran the ``usd`` filter per
card: 24 cards were about half of the template time of a catalogue cache miss. Everything shown
is escaped as ``{{ }}`` escapes it."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from shop.templatetags.money import usd

register = template.Library()

SIZES = ' sizes="(min-width: 1120px) 260px, (min-width: 721px) 30vw, 100vw"'


def _picture(p) -> str:
    if not p:
        return '<div class="img-placeholder" aria-hidden="true"></div>'
    e = conditional_escape
    webp = f'<source type="image/webp" srcset="{e(p.webp_srcset)}"{SIZES}>' if p.webp_srcset else ""
    srcset = f' srcset="{e(p.srcset)}"{SIZES}' if p.srcset else ""
    size = f' width="{e(p.width)}" height="{e(p.height)}"' if p.width else ""
    return (f'<picture>{webp}<img src="{e(p.src)}"{srcset} alt="{e(p.alt)}"{size} loading="lazy" decoding="async">'
            "</picture> ")


def _card(product: dict) -> str:
    e = conditional_escape
    sold_out = "" if product["stock_total"] else '<span class="stock out">Sold out</span>'
    return (f' <li class="card"> <a href="{e(product["url"])}" class="card-link"> '
            f'{_picture(product["picture"])} <span class="card-title">{e(product["name"])}</span> </a> '
            f'<span class="card-meta">{e(product["category_name"])}</span> '
            f'<span class="price">from {e(usd(product["price_from"]))}</span> {sold_out} </li> ')


@register.simple_tag
def product_grid(products) -> str:
    """The ``<ul class="grid">`` of these cards: one ``<li>`` each, its link, first picture
    (WebP with a JPEG/PNG fallback, each in several widths), name, category, lowest price and
    "Sold out" without stock."""
    return mark_safe('<ul class="grid"> ' + "".join(_card(p) for p in products) + " </ul>")


@register.simple_tag
def card_picture(picture) -> str:
    """One card's ``<picture>`` as the listing writes it (a plain tile without a picture): the
    gift builder's item cards."""
    return mark_safe(_picture(picture))
