import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["shop:home", "shop:catalog", "shop:cart", "account_login", "account_signup"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_carry_hotline_and_quick_exit(client, name):
    html = client.get(reverse(name)).content.decode()
    assert "1-888-373-7888" in html and "233733" in html
    assert 'id="quick-exit"' in html and 'href="/weather/"' in html
    assert "quick-exit.js" in html


def test_no_page_loads_assets_from_the_internet(client):
    html = client.get(reverse("shop:home")).content.decode()
    for attribute in ('src="http', "src='http", 'href="http', "href='http", "//cdn", "fonts.googleapis"):
        assert attribute not in html


def test_home_has_mission_and_impact_from_settings(client, settings):
    settings.MENDED_ORG = {**settings.MENDED_ORG, "MISSION": "Our test mission.", "IMPACT_LINE": "Our test impact."}
    html = client.get(reverse("shop:home")).content.decode()
    assert "Our test mission." in html and "Our test impact." in html


def test_quick_exit_target_is_neutral(client, settings):
    html = client.get(reverse("shop:weather")).content.decode()
    assert settings.MENDED_ORG["NAME"] not in html
    assert "trafficking" not in html.lower()


def test_quick_exit_script_replaces_history():
    from django.contrib.staticfiles import finders

    script = open(finders.find("shop/js/quick-exit.js")).read()
    assert "location.replace" in script and "Escape" in script


def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "up" and body["broker"] in ("up", "eager")
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_down_broker_with_503(client, settings):
    from config.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.conf.task_always_eager = False  # the suite's fixture restores it
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "up", "broker": "down"}


def test_healthz_reports_a_down_database_with_503(client, monkeypatch):
    from shop.views import pages

    def broken_cursor(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(pages.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "down"
