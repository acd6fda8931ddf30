from __future__ import annotations

import django_filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IdFilter, PagePagination
from core.tokens import display_prefix, hash_token, new_token
from notifications.delivery_store import image_url
from printers.authentication import PrinterTokenAuthentication
from printers.ingestion import EventSerializer, store_event
from printers.models import Printer, PrinterEvent
from printers.serializers import PrinterSerializer, PrinterWithTokenSerializer

PRINTER_TOKEN_PREFIX = "pbp"  # noqa: S105 - a label, not a secret


def _issue_token(printer: Printer) -> str:
    token = new_token(PRINTER_TOKEN_PREFIX)
    printer.token_hash = hash_token(token)
    printer.token_prefix = display_prefix(token)
    return token


class PrinterViewSet(viewsets.ModelViewSet):
    """The signed-in user's printers. Creating one answers with its token, once."""

    queryset = Printer.objects.none()  # for the schema; see get_queryset
    serializer_class = PrinterSerializer

    def get_queryset(self):
        return Printer.objects.filter(owner=self.request.user)

    @extend_schema(responses={201: PrinterWithTokenSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        printer = Printer(owner=request.user, **serializer.validated_data)
        token = _issue_token(printer)
        printer.save()
        printer.auth_token = token
        return Response(PrinterWithTokenSerializer(printer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PrinterWithTokenSerializer})
    @action(detail=True, methods=["post"])
    def regenerate_token(self, request, pk=None):
        """Replace the printer's token; the old one stops working at once."""
        printer = self.get_object()
        token = _issue_token(printer)
        printer.save(update_fields=["token_hash", "token_prefix", "updated_at"])
        printer.auth_token = token
        return Response(PrinterWithTokenSerializer(printer).data)


class PrinterEventSerializer(serializers.ModelSerializer):
    print = serializers.SerializerMethodField()
    img_url = serializers.SerializerMethodField()

    class Meta:
        model = PrinterEvent
        fields = ["id", "printer", "type", "print", "is_warning", "print_paused", "extra", "img_url", "created_at"]

    def get_print(self, event) -> dict | None:
        p = event.print
        if p is None:
            return None
        return {
            "id": p.id,
            "job_key": p.job_key,
            "filename": p.filename,
            "started_at": p.started_at,
            "ended_at": p.ended_at,
        }

    def get_img_url(self, event) -> str:
        return image_url(event.snapshot.name if event.snapshot else None, event.img_url)


class PrinterEventFilter(django_filters.FilterSet):
    printer = IdFilter(field_name="printer_id")

    class Meta:
        model = PrinterEvent
        fields = ["printer", "type"]


class PrinterEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Events reported by the signed-in user's printers, newest first."""

    queryset = PrinterEvent.objects.none()  # for the schema; see get_queryset
    serializer_class = PrinterEventSerializer
    filterset_class = PrinterEventFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return PrinterEvent.objects.filter(printer__owner=self.request.user).select_related("print")


class PrinterTokenScheme(OpenApiAuthenticationExtension):
    """Describes the printer token in the schema (a user's API token is `tokenAuth`)."""

    target_class = PrinterTokenAuthentication
    name = "printerTokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The printer's token, shown once on creation."}


class EventIngestView(APIView):
    """A printer reports one event. Authenticated with `Authorization: Bearer <printer token>`.

    JSON, or multipart/form-data with a `snapshot` image (nested `print`/`extra` as JSON text).
    Answers 202 with the new event's id; a repeated `id` (idempotency key) answers 200 with the
    first event and creates nothing."""

    authentication_classes = [PrinterTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes: list = []

    @extend_schema(
        request={"application/json": EventSerializer, "multipart/form-data": EventSerializer},
        responses={
            202: inline_serializer(
                "EventAccepted", {"id": serializers.IntegerField(), "duplicate": serializers.BooleanField()}
            ),
            200: OpenApiResponse(description="Repeated idempotency key: the first event"),
        },
    )
    def post(self, request):
        serializer = EventSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        event_id, created = store_event(request.auth, serializer.validated_data)
        body = {"id": event_id, "duplicate": not created}
        return Response(body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)
