from __future__ import annotations

from rest_framework import authentication, exceptions

from core.tokens import hash_token
from printers.models import Printer


class PrinterTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Bearer <printer token>`, for a printer's agent or connector.

    `request.user` is the printer's owner and `request.auth` the Printer."""

    keyword = "Bearer"

    def authenticate_credentials(self, key: str):
        printer = Printer.objects.select_related("owner").filter(token_hash=hash_token(key)).first()
        if printer is None or not printer.owner.is_active:
            raise exceptions.AuthenticationFailed("Invalid printer token.")
        return printer.owner, printer
