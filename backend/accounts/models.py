from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A Printbell user. The extra fields are the ones the seed's UserContext carries."""

    # The user's global switch: off means no notification of any kind is sent.
    notification_enabled = models.BooleanField(default=True)
    unsub_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Kept for compatibility with the seed's UserContext; a self-hosted server has no quota.
    dh_balance = models.FloatField(default=0.0)
    is_pro = models.BooleanField(default=True)


class ApiToken(models.Model):
    """A personal API token (`Authorization: Token <key>`). Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"
