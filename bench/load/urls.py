"""The portal's URLs plus the two load-test baselines: production wiring never imports bench/."""

from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

from .views import minimal_write, trivial

urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("bench/write/", minimal_write, name="bench_write"),
    *portal_urlpatterns,
]
