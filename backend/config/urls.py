from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.views import MeView, ObtainTokenView, RegisterView
from core.views import health, snapshot
from notifications.views import DeliveryViewSet, NotificationSettingViewSet
from printers.views import EventIngestView, PrinterEventViewSet, PrinterViewSet

router = DefaultRouter()
router.register("printers", PrinterViewSet, basename="printer")
router.register("events", PrinterEventViewSet, basename="event")
router.register("notification_settings", NotificationSettingViewSet, basename="notification_setting")
router.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("api/v1/auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("api/v1/auth/register/", RegisterView.as_view(), name="auth-register"),
    path("api/v1/me/", MeView.as_view(), name="me"),
    path("api/v1/printer/events/", EventIngestView.as_view(), name="printer-events"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    re_path(r"^media/(?P<path>snapshots/[0-9a-f]{64}\.(?:jpg|png|webp|gif))$", snapshot, name="snapshot"),
]
