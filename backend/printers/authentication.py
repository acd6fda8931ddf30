from __future__ import annotations

from rest_framework import authentication, exceptions

from core.tokens import hash_token
from printers.event_store import printer_for_token


class PrinterTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Bearer <printer token>`, for a printer's agent or connector.

    `request.user` is the printer's owner and `request.auth` the Printer."""

    keyword = "Bearer"

    def authenticate_credentials(self, key: str):
        printer = printer_for_token(hash_token(key))
        if printer is None:
            raise exceptions.AuthenticationFailed("Invalid printer token.")
        return printer.owner, printer
