from __future__ import annotations

import json
import logging

from rest_framework import serializers

from core.json_values import unstorable
from notifications import loader
from notifications.config_schema import keep_unsent_secrets, public_config, secret_values, secrets_set
from notifications.models import FEATURE_FIELDS, Delivery, DeliveryAttempt, NotificationSetting
from notifications.outcome import redact
from printers.models import Printer

logger = logging.getLogger(__name__)


class OwnPrintersField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, float):  # not an id: 1.5 would find printer 1, and 1e400 overflows
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Printer.objects.none()
        return Printer.objects.filter(owner=request.user)


class NotificationSettingSerializer(serializers.ModelSerializer):
    """A channel, with the seed system's field names (`name` is the plugin id)."""

    name = serializers.CharField(max_length=100, help_text="The plugin id, e.g. 'webhook'.")
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    config = serializers.DictField(required=False)
    printers = OwnPrintersField(
        many=True, required=False, help_text="Limit the channel to these printers; empty means all printers."
    )
    plugin_loaded = serializers.SerializerMethodField()
    config_secrets_set = serializers.SerializerMethodField(
        help_text="Secret config fields that have a value (their values are never sent back)."
    )

    class Meta:
        model = NotificationSetting
        fields = [
            "id",
            "created_at",
            "updated_at",
            "name",
            "label",
            "config",
            "enabled",
            *FEATURE_FIELDS,
            "printers",
            "plugin_loaded",
            "config_secrets_set",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_plugin_loaded(self, obj) -> bool:
        return obj.name in loader.registry()

    def get_config_secrets_set(self, obj) -> list[str]:
        return secrets_set(self._plugin(obj.name), obj.config)

    def _plugin(self, plugin_id: str):
        found = loader.registry().get(plugin_id)
        return found.instance if found else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["config"] = public_config(self._plugin(instance.name), instance.config)
        return data

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if self.instance is not None and value != self.instance.name:
            raise serializers.ValidationError("The plugin of a channel cannot be changed; create a new channel.")
        if value not in loader.registry():
            available = ", ".join(sorted(loader.registry().loaded)) or "none"
            raise serializers.ValidationError(f"Unknown plugin {value!r}. Available plugins: {available}.")
        return value

    def validate(self, attrs):
        plugin_id = attrs.get("name") or (self.instance.name if self.instance else None)
        if plugin_id is None:
            raise serializers.ValidationError({"name": ["This field is required."]})
        if self.instance is None or "config" in attrs:
            loaded = loader.registry().get(plugin_id)
            if loaded is None:  # a channel whose plugin is no longer on this server
                raise serializers.ValidationError(
                    {"config": [f"Plugin {plugin_id!r} is not loaded on this server; its config cannot be changed."]}
                )
            plugin = loaded.instance
            submitted = attrs.get("config") or {}
            if self.instance is not None:
                submitted = keep_unsent_secrets(plugin, self.instance.config, submitted)
            attrs["config"] = validate_plugin_config(plugin, submitted)
        return attrs


def validate_plugin_config(plugin, data: dict) -> dict:
    """Run the plugin's validate_config; any failure becomes a 400 on `config`."""
    try:
        cleaned = plugin.validate_config(dict(data))
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"config": exc.detail}) from None
    except Exception as exc:  # noqa: BLE001 - a plugin bug must not become a 500
        logger.warning("Plugin %s validate_config raised %s", plugin.plugin_id, type(exc).__name__)
        # The error may quote the server's credentials (a bot token in a URL): never show them.
        reason = redact(f"{type(exc).__name__}: {exc}", secret_values(plugin, data))
        raise serializers.ValidationError({"config": [f"Invalid configuration ({reason})."]}) from None
    if not isinstance(cleaned, dict):
        raise serializers.ValidationError({"config": ["The plugin did not accept this configuration."]})
    try:
        stored = json.loads(json.dumps(cleaned))
    except (TypeError, ValueError):
        raise serializers.ValidationError(
            {"config": ["The plugin produced a configuration it cannot store."]}
        ) from None
    problem = unstorable(stored)
    if problem:
        raise serializers.ValidationError({"config": [problem]})
    return stored


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "outcome", "http_status", "error"]


class DeliverySerializer(serializers.ModelSerializer):
    delivery_id = serializers.UUIDField(source="uuid", read_only=True)
    plugin = serializers.CharField(source="channel.name", read_only=True)
    attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "delivery_id",
            "event",
            "channel",
            "plugin",
            "kind",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_error",
            "created_at",
            "finished_at",
            "attempts",
        ]
        read_only_fields = fields
