from django.urls import path

from shop.views import cart, catalog, checkout, gifts, orders, pages, webhooks

app_name = "shop"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("shop/", catalog.catalog, name="catalog"),
    path("shop/category/<slug:slug>/", catalog.catalog, name="category"),
    path("shop/product/<slug:slug>/", catalog.product, name="product"),
    path("cart/", cart.cart_detail, name="cart"),
    path("cart/lines/<int:line_id>/", cart.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:line_id>/remove/", cart.cart_line_remove, name="cart_line_remove"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("checkout/pay/<str:token>/", checkout.pay, name="pay"),
    path("checkout/pay/<str:token>/setup/", checkout.pay_setup, name="pay_setup"),
    path("checkout/pay/<str:token>/confirm/", checkout.pay_confirm, name="pay_confirm"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path("order-link/<str:token>/", orders.order_by_link, name="order_by_link"),
    path("order-link/<str:token>/status/", orders.order_status, name="order_status"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("gifts/", gifts.gifts_home, name="gifts"),
    path("gifts/designs/<int:design_id>/", gifts.design_detail, name="gift_design"),
    path("gifts/designs/<int:design_id>/items/", gifts.design_item, name="gift_design_item"),
    path("gifts/designs/<int:design_id>/details/", gifts.design_details, name="gift_design_details"),
    path("gifts/designs/<int:design_id>/logo/", gifts.design_logo, name="gift_design_logo"),
    path("gifts/designs/<int:design_id>/logo/file/", gifts.design_logo_file, name="gift_design_logo_file"),
    path("gifts/designs/<int:design_id>/duplicate/", gifts.design_duplicate, name="gift_design_duplicate"),
    path("gifts/designs/<int:design_id>/quote.pdf", gifts.design_quote_pdf, name="gift_design_quote_pdf"),
    path("gifts/designs/<int:design_id>/order/", gifts.design_order, name="gift_design_order"),
    path("gifts/orders/<str:number>/", gifts.gift_order_detail, name="gift_order"),
    path("gifts/orders/<str:number>/review/", gifts.gift_order_review, name="gift_order_review"),
    path("gifts/orders/<str:number>/pay/setup/", gifts.gift_order_pay_setup, name="gift_order_pay_setup"),
    path("gifts/orders/<str:number>/pay/confirm/", gifts.gift_order_pay_confirm, name="gift_order_pay_confirm"),
    path("gifts/orders/<str:number>/invoice.pdf", gifts.gift_order_invoice_pdf, name="gift_order_invoice"),
    path("staff/gifts/", gifts.gift_pipeline_page, name="gift_pipeline"),
    path("staff/gifts/invoices/<int:invoice_id>/paid/", gifts.gift_invoice_mark_paid, name="gift_invoice_paid"),
    path("staff/gifts/orders/<str:number>/proof/", gifts.gift_order_proof_upload, name="gift_order_proof"),
    path("weather/", pages.weather, name="weather"),
]
