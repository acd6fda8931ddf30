from __future__ import annotations

from rest_framework import serializers

from printers.models import Printer


class PrinterSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200, trim_whitespace=True)

    class Meta:
        model = Printer
        fields = ["id", "name", "pause_on_failure", "watching_enabled", "token_prefix", "created_at", "updated_at"]
        read_only_fields = ["id", "token_prefix", "created_at", "updated_at"]


class PrinterWithTokenSerializer(PrinterSerializer):
    """Only in the answer to creating a printer (or regenerating its token): the one time the
    token is shown. It is stored hashed and cannot be shown again."""

    auth_token = serializers.CharField(read_only=True)

    class Meta(PrinterSerializer.Meta):
        fields = [*PrinterSerializer.Meta.fields, "auth_token"]
