from django.urls import path

from shop.views import cart, catalog, pages

app_name = "shop"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("shop/", catalog.catalog, name="catalog"),
    path("shop/category/<slug:slug>/", catalog.catalog, name="category"),
    path("shop/product/<slug:slug>/", catalog.product, name="product"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/lines/<int:line_id>/", cart.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", cart.cart_line_remove, name="cart_line_remove"),
    path("weather/", pages.weather, name="weather"),
]
