from __future__ import annotations

import django_filters
from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdFilter, PagePagination
from notifications import loader
from notifications.config_schema import config_schema
from notifications.env_vars import missing_required, public_env_vars
from notifications.models import Delivery, NotificationSetting
from notifications.outcome import PERMANENT, SENT, SKIPPED
from notifications.serializers import DeliverySerializer, NotificationSettingSerializer
from notifications.test_message import send_test_message


class NotificationSettingViewSet(viewsets.ModelViewSet):
    """The signed-in user's notification channels."""

    queryset = NotificationSetting.objects.none()  # for the schema; see get_queryset
    serializer_class = NotificationSettingSerializer

    def get_queryset(self):
        return NotificationSetting.objects.filter(user=self.request.user).prefetch_related("printers")

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.save(user=self.request.user)

    @transaction.atomic
    def perform_update(self, serializer):
        serializer.save()

    @extend_schema(responses={200: inline_serializer("AvailablePlugins", {"plugins": serializers.DictField()})})
    @action(detail=False, methods=["get"])
    def available_plugins(self, request):
        """Every loaded plugin: display name, supported features, environment variables (public
        values only) and, when the plugin declares one, its config schema. Staff also see the
        plugins that failed to load, with the error."""
        registry = loader.registry()
        plugins = {}
        for plugin_id, p in sorted(registry.loaded.items()):
            env = public_env_vars(p.instance)
            plugins[plugin_id] = {
                "id": plugin_id,
                "display_name": p.instance.get_display_name(),
                "features": sorted(f.value for f in p.features),
                "env_vars": env,
                "missing_env_vars": missing_required(env),
                "config_schema": config_schema(p.instance),
            }
        body = {"plugins": plugins}
        if request.user.is_staff:
            body["failed"] = [{"id": f.id, "source": f.source, "error": f.error} for f in registry.failed]
        return Response(body)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "TestSent", {"status": serializers.CharField(), "delivery": serializers.IntegerField()}
            ),
            400: inline_serializer(
                "TestRefused", {"status": serializers.CharField(), "detail": serializers.CharField()}
            ),
            502: inline_serializer(
                "TestFailed", {"status": serializers.CharField(), "detail": serializers.CharField()}
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def send_test_message(self, request, pk=None):
        """Send a test message through this channel now and report what the provider said."""
        channel = self.get_object()
        delivery, outcome = send_test_message(channel)
        if outcome.kind == SENT:
            return Response({"status": "sent", "delivery": delivery.id})
        refused = outcome.kind == SKIPPED or (outcome.kind == PERMANENT and outcome.http_status is None)
        code = status.HTTP_400_BAD_REQUEST if refused else status.HTTP_502_BAD_GATEWAY
        detail = "This plugin cannot send test messages." if outcome.kind == SKIPPED else outcome.error
        return Response({"status": "error", "detail": detail, "delivery": delivery.id}, status=code)


class DeliveryFilter(django_filters.FilterSet):
    event = IdFilter(field_name="event_id")
    channel = IdFilter(field_name="channel_id")
    status = django_filters.ChoiceFilter(choices=Delivery.STATUS_CHOICES)

    class Meta:
        model = Delivery
        fields = ["event", "channel", "status"]


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: every notification sent (or not) to the signed-in user's channels, with
    each attempt and its error. Newest first."""

    queryset = Delivery.objects.none()  # for the schema; see get_queryset
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return (
            Delivery.objects.filter(user=self.request.user)
            .select_related("channel")
            .prefetch_related("attempts")
            .order_by("-id")
        )
