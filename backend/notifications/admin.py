from django.contrib import admin

from notifications.models import Delivery, DeliveryAttempt, NotificationSetting


@admin.register(NotificationSetting)
class NotificationSettingAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "label", "enabled", "created_at"]
    list_filter = ["name", "enabled"]
    exclude = ["config"]  # may hold secrets


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "duration_ms", "outcome", "http_status", "error"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "channel", "status", "attempt_count", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
