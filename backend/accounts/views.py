from __future__ import annotations

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from accounts.serializers import RegisterSerializer, TokenRequestSerializer, UserSerializer
from core.tokens import display_prefix, hash_token, new_token

API_TOKEN_PREFIX = "pbu"  # noqa: S105 - a label, not a secret


class ObtainTokenView(APIView):
    """Exchange a username and password for a new personal API token, shown once.
    Use it as `Authorization: Token <token>`."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

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
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Token "):
            ApiToken.objects.filter(key_hash=hash_token(auth[6:].strip())).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterView(APIView):
    """Create an account. The first account on a new server becomes its administrator; after
    that, sign-up is open only when ALLOW_SIGNUP is true."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            first = not User.objects.exists()
            if not first and not settings.ALLOW_SIGNUP:
                return Response({"detail": "Sign-up is closed on this server."}, status=status.HTTP_403_FORBIDDEN)
            data = dict(serializer.validated_data)
            password = data.pop("password")
            if User.objects.filter(username=data["username"]).exists():
                return Response({"username": ["A user with that username already exists."]}, status=400)
            user = User(**data, is_staff=first, is_superuser=first)
            user.set_password(password)
            user.save()
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user. `notification_enabled` is the global switch for all notifications."""

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user
