"""A busy day in the shop: shoppers browse the catalog, add to cart and check out against localstripe.

Run through ``python3 dev.py load`` (tests/load/__main__.py), which starts the servers. A
shopper browses (home, catalog, a product), and about one visit in three adds to the
cart, checks out and pays with a card made on localstripe as Stripe.js would make it.
Only 5xx answers and transport errors count as failures; a 4xx the shop meant (sold out)
is recorded under its own name.

The server runs with the production settings behind a (pretend) TLS proxy: every request says
``X-Forwarded-Proto: https``, ``X-Forwarded-For`` the shopper's own address, and a same-origin
https Referer (what Django's CSRF check wants of a secure request); the shopper sends the Secure
cookies (session, CSRF) back over the plain loopback connection, as a browser does over TLS to
the proxy.
"""
import json
import os
import random
import re
import uuid

import requests
from locust import HttpUser, between, task

STRIPE = os.environ["LOAD_STRIPE_API_BASE"]
STRIPE_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_mended_local")
PRODUCT = re.compile(r'href="(/shop/product/[\w-]+/)"')
VARIANT = re.compile(r'<option value="(\d+)"|name="variant" value="(\d+)"|name="variant"[^>]*value="(\d+)"')
PAY = re.compile(r"/checkout/pay/([^/]+)/")


def card() -> str:
    answer = requests.post(f"{STRIPE}/v1/payment_methods", auth=(STRIPE_KEY, ""), timeout=30, data={
        "type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034",
        "card[cvc]": "123"})
    answer.raise_for_status()
    return answer.json()["id"]


class Shopper(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self):
        self.new_visitor()

    def new_visitor(self):
        """A shopper of their own: no cookies yet, and an address of their own, which the proxy
        passes on (the per-session and per-address limits, such as 5 payment attempts in 10
        minutes, are each shopper's; one locust user is many shoppers in turn)."""
        self.client.cookies.clear()
        address = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": address,
                                    "Referer": self.host.replace("http://", "https://", 1) + "/"})

    def behind_the_proxy(self):
        """The Secure cookies (session, CSRF) go back over http: the TLS is the proxy's. (requests
        sends a Secure cookie over https only, and builds each request's jar afresh.)"""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path: str, name: str | None = None):
        self.behind_the_proxy()
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
            else:
                response.success()
            return response

    def post(self, path: str, name: str, **kwargs):
        self.behind_the_proxy()
        headers = kwargs.pop("headers", {})
        headers["X-CSRFToken"] = self.client.cookies.get("csrftoken", "")
        headers["Referer"] = self.host.replace("http://", "https://", 1) + path
        with self.client.post(path, name=name, headers=headers, catch_response=True, allow_redirects=False, **kwargs) as response:
            if response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
            else:
                response.success()
            return response

    @task(2)
    def browse(self):
        self.get("/")
        catalog = self.get("/shop/")
        products = PRODUCT.findall(catalog.text)
        for path in random.sample(products, min(2, len(products))):
            self.get(path, name="/shop/product/[slug]/")

    @task(1)
    def buy(self):
        products = PRODUCT.findall(self.get("/shop/").text)
        if not products:
            return
        page = self.get(random.choice(products), name="/shop/product/[slug]/")
        variants = [next(v for v in m if v) for m in VARIANT.findall(page.text)]
        if not variants:
            return
        token = self.client.cookies.get("csrftoken", "")
        added = self.post(page.url.replace(self.host, ""), "add to cart",
                          data={"csrfmiddlewaretoken": token, "variant": random.choice(variants), "quantity": 1})
        if added.status_code != 302:
            return  # sold out or refused: the page said why
        self.get("/cart/")
        self.get("/checkout/")
        placed = self.post("/checkout/", "checkout", data={
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), "email": f"load-{uuid.uuid4().hex[:8]}@example.org",
            "name": "Lou Load", "shipping_method": os.environ["LOAD_SHIPPING_METHOD"], "line1": "12 Bay St", "city": "Tampa",
            "state": "FL", "postal_code": "33602"})
        match = PAY.search(placed.headers.get("Location", ""))
        if not match:
            return  # stock ran out between cart and checkout: sent back to the cart
        self.get(f"/checkout/pay/{match.group(1)}/", name="/checkout/pay/[token]/")
        self.behind_the_proxy()
        with self.client.post(f"/checkout/pay/{match.group(1)}/confirm/", name="pay", data=json.dumps({"payment_method": card()}),
                              headers={"Content-Type": "application/json", "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
                              catch_response=True) as response:
            if response.status_code >= 500 or response.status_code == 403:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            elif response.json().get("status") != "succeeded":
                response.failure(f"payment {response.json()}")
            else:
                response.success()
        self.new_visitor()  # the next purchase is another shopper's
