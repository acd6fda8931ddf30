"""Small pieces shared by the API views of every app."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import MaxValueValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.pagination import PageNumberPagination


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number the database can hold, else a 400 naming the parameter (an
    out-of-range number would otherwise reach the database and fail there)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return MaxValueValidator(2**63 - 1)


class PagePagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 500), answered as {count, next, previous, results}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
