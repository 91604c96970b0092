"""``{% link %}`` (shop/templatetags/links.py) gives what ``{% url %}`` gives, reversed once per
script prefix: the header's links stay right under a prefix and cost no reverse after the first."""
from unittest import mock

from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix

from shop.templatetags import links

BOTH = Template("{% load links %}{% url 'shop:catalog' %}|{% link 'shop:catalog' %}|{% link 'account_login' %}")


def test_link_is_the_url_tags_answer():
    assert BOTH.render(Context()) == "/shop/|/shop/|/accounts/login/"


def test_link_follows_the_script_prefix():
    set_script_prefix("/mended/")
    try:
        assert BOTH.render(Context()) == "/mended/shop/|/mended/shop/|/mended/accounts/login/"
    finally:
        clear_script_prefix()
    assert BOTH.render(Context()) == "/shop/|/shop/|/accounts/login/"


def test_link_reverses_once_per_name_and_prefix():
    links._reversed.cache_clear()
    template = Template("{% load links %}{% link 'shop:donate' %}")
    with mock.patch.object(links, "reverse", wraps=links.reverse) as reverse:
        for _ in range(3):
            assert template.render(Context()) == "/donate/"
    assert reverse.call_count == 1


def test_link_output_is_escaped():
    with mock.patch.object(links, "_reversed", return_value='/a"b<c>/'):
        assert Template("{% load links %}{% link 'x' %}").render(Context()) == "/a&quot;b&lt;c&gt;/"


def test_link_with_one_argument_is_the_url_tags_answer():
    # by hand: shop/urls.py's patterns, cart/lines/<int:line_id>/ and shop/product/<slug:slug>/
    template = Template("{% load links %}{% link 'shop:cart_line_update' 42 %}|{% link 'shop:cart_line_remove' 0 %}|"
                        "{% link 'shop:product' 'tote-bag_2' %}")
    assert template.render(Context()) == "/cart/lines/42/|/cart/lines/0/remove/|/shop/product/tote-bag_2/"


def test_asset_is_the_static_url_found_once_and_forgotten_when_the_static_settings_change():
    from django.test import override_settings

    page = Template("{% load links %}<link href=\"{% asset 'shop/css/site.css' %}\">")
    with override_settings(STATIC_URL="/static/"):
        assert page.render(Context()) == '<link href="/static/shop/css/site.css">'
        assert links._ASSETS["shop/css/site.css"] == "/static/shop/css/site.css"  # kept
        with override_settings(STATIC_URL="/assets/"):
            assert page.render(Context()) == '<link href="/assets/shop/css/site.css">'
        assert page.render(Context()) == '<link href="/static/shop/css/site.css">'
    assert Template("{% load links %}{% asset 'a b&c.css' %}").render(Context()) == "/static/a%20b%26c.css"
