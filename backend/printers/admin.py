from django.contrib import admin

from printers.models import Print, Printer, PrinterEvent


@admin.register(Printer)
class PrinterAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "owner", "token_prefix", "created_at"]
    exclude = ["token_hash"]
    readonly_fields = ["token_prefix"]


@admin.register(Print)
class PrintAdmin(admin.ModelAdmin):
    list_display = ["id", "printer", "filename", "started_at", "ended_at"]


@admin.register(PrinterEvent)
class PrinterEventAdmin(admin.ModelAdmin):
    list_display = ["id", "printer", "type", "created_at", "fanned_out_at"]
    list_filter = ["type"]
