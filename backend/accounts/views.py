from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken, User
from accounts.serializers import RegisterSerializer, TokenRequestSerializer, UserSerializer
from core.tokens import display_prefix, hash_token, new_token

API_TOKEN_PREFIX = "pbu"  # noqa: S105 - a label, not a secret


class AuthRateThrottle(AnonRateThrottle):
    """Slows down password guessing: AUTH_RATE_LIMIT requests per client address."""

    scope = "auth"

    def get_rate(self) -> str:
        return settings.AUTH_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        # By address only: looking at request.user would authenticate (and fail on a stale token).
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ObtainTokenView(APIView):
    """Exchange a username and password for a new personal API token, shown once.
    Use it as `Authorization: Token <token>`."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthRateThrottle]

    def perform_authentication(self, request):
        # Signing in needs no credentials (a stale header must not stop it); only DELETE uses them.
        if request.method == "DELETE":
            super().perform_authentication(request)

    @extend_schema(
        request=TokenRequestSerializer, responses={200: inline_serializer("Token", {"token": serializers.CharField()})}
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token = new_token(API_TOKEN_PREFIX)
        ApiToken.objects.create(
            user=serializer.validated_data["user"],
            name=serializer.validated_data.get("name", ""),
            key_hash=hash_token(token),
            key_prefix=display_prefix(token),
        )
        return Response({"token": token})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the token this request is made with."""
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated("Send the token to revoke as `Authorization: Token <token>`.")
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterView(APIView):
    """Create an account. The first account on a new server becomes its administrator; after
    that, sign-up is open only when ALLOW_SIGNUP is true."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        # Refuse before validating: a closed server must not tell which usernames are taken.
        if not settings.ALLOW_SIGNUP and User.objects.exists():
            return self._closed()
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        password = data.pop("password")
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # Two sign-ups on a fresh server must not both become its administrator.
                    # (SQLite's IMMEDIATE transactions already serialise this block.)
                    with connection.cursor() as cursor:
                        cursor.execute(f"LOCK TABLE {User._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
                first = not User.objects.exists()
                if not first and not settings.ALLOW_SIGNUP:
                    return self._closed()
                user = User(**data, is_staff=first, is_superuser=first)
                user.set_password(password)
                user.save()
        except IntegrityError:
            return Response({"username": ["A user with that username already exists."]}, status=400)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _closed() -> Response:
        return Response({"detail": "Sign-up is closed on this server."}, status=status.HTTP_403_FORBIDDEN)


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user. `notification_enabled` is the global switch for all notifications."""

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user
