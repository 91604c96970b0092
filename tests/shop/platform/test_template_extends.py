"""shop/platform/template_extends.py: ``{% extends %}`` renders what Django's own does (blocks,
``block.super``, three levels, a parent from a variable) and walks the root's blocks once."""
from unittest import mock

import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import NodeList

from django.template.loader_tags import BlockNode

from shop.platform.template_extends import QuickExtendsNode

TEMPLATES = {
    "root.html": "{% load i18n %}<h1>{% block title %}Root{% endblock %}</h1>{% block body %}[root body]{% endblock %}"
                 "{% if extra %}{% block extra %}root extra{% endblock %}{% endif %}",
    "middle.html": "{% extends 'root.html' %}{% block title %}Middle &amp; {{ block.super }}{% endblock %}"
                   "{% block extra %}middle extra for {{ who }}{% endblock %}",
    "page.html": "{% extends 'middle.html' %}{% block body %}<p>{{ who }}</p>{{ block.super }}{% endblock %}"
                 "{% block title %}Page / {{ block.super }}{% endblock %}",
    "direct.html": "{% extends 'root.html' %}{% block body %}direct{% endblock %}",
    "dynamic.html": "{% extends parent %}{% block title %}Dynamic{% endblock %}",
}


def _engine(quick: bool) -> Engine:
    # The cached loader, as the site's engine has it: a parent is compiled once
    loaders = [("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", TEMPLATES)])]
    return Engine(loaders=loaders, libraries={"i18n": "django.templatetags.i18n"},
                  builtins=["shop.platform.template_extends"] if quick else [])


@pytest.mark.parametrize("name, context, expected", [
    ("page.html", {"who": "<Ann>", "extra": True},
     "<h1>Page / Middle &amp; Root</h1><p>&lt;Ann&gt;</p>[root body]middle extra for &lt;Ann&gt;"),
    ("page.html", {"who": "Bo"}, "<h1>Page / Middle &amp; Root</h1><p>Bo</p>[root body]"),
    ("direct.html", {"extra": True}, "<h1>Root</h1>directroot extra"),
    ("dynamic.html", {"parent": "middle.html"}, "<h1>Dynamic</h1>[root body]"),
])
def test_it_renders_what_djangos_extends_renders(name, context, expected):
    quick, stock = _engine(True), _engine(False)
    for _ in range(2):  # the second time from the kept blocks
        assert quick.get_template(name).render(Context(context)) == expected
    assert stock.get_template(name).render(Context(context)) == expected
    assert isinstance(quick.get_template(name).nodelist[0], QuickExtendsNode)


def test_the_roots_blocks_are_found_once_per_compiled_template():
    engine = _engine(True)
    page, root = engine.get_template("page.html"), engine.get_template("root.html")
    walks = []
    real = NodeList.get_nodes_by_type
    with mock.patch.object(NodeList, "get_nodes_by_type",
                           lambda self, kind: (walks.append(kind) if self is root.nodelist else None) or real(self, kind)):
        for _ in range(3):
            assert page.render(Context({"who": "x"})) == "<h1>Page / Middle &amp; Root</h1><p>x</p>[root body]"
    assert walks == [BlockNode]  # Django's own walks it on each render: three
    assert set(root._mended_root_blocks) == {"title", "body", "extra"}
    from shop.platform.template_extends import _NO_BLOCKS

    assert engine.get_template("middle.html")._mended_root_blocks is _NO_BLOCKS  # it extends: its own node adds its blocks


def test_the_tags_errors_are_djangos():
    engine = _engine(True)
    with pytest.raises(TemplateSyntaxError, match="takes one argument"):
        engine.from_string("{% extends %}")
    with pytest.raises(TemplateSyntaxError, match="cannot appear more than once"):
        engine.from_string("{% extends 'root.html' %}{% extends 'root.html' %}")
    with pytest.raises(TemplateSyntaxError, match="must be the first tag"):
        engine.from_string("{% load i18n %}{% extends 'root.html' %}")
