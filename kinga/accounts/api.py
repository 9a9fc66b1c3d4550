"""API for accounts: who am I, token sign-in, and the admin's user and organisation lists.

Every endpoint needs an authenticated user (the project default); lists are scoped by
the same selectors as the pages.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from kinga.accounts import selectors, services
from kinga.accounts.authentication import ExpiringTokenAuthentication
from kinga.accounts.backends import AccountLocked
from kinga.accounts.models import Organisation, User
from kinga.accounts.roles import PERMISSIONS, Action, Role


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    counties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "code", "counties", "is_demo", "is_active"]


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(
        source="organisation.public_id", read_only=True, allow_null=True
    )
    counties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "organisation",
            "counties",
            "is_active",
            "mfa_enabled",
        ]


class MeSerializer(UserSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "actions", "preferred_language"]

    def get_actions(self, user: User) -> list[str]:
        return sorted(str(action) for action in PERMISSIONS.get(Role(user.role), ()))


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("TOTP code, when two-factor sign-in is on"),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class MeView(RetrieveAPIView):
    serializer_class = MeSerializer

    def get_object(self) -> User:
        return self.request.user


class SignInThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenView(APIView):
    """Exchange email + password (+ TOTP code) for an API token. Counts towards lockout."""

    permission_classes = [AllowAny]
    # Token auth here only so a wrong password answers 401 with a WWW-Authenticate header.
    authentication_classes = [ExpiringTokenAuthentication]
    throttle_classes = [SignInThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        from django.contrib.auth import authenticate

        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request._request,
                username=body.validated_data["email"],
                password=body.validated_data["password"],
            )
        except AccountLocked:
            raise PermissionDenied(_("Too many failed attempts; try again later.")) from None
        if user is None:
            raise AuthenticationFailed(_("The email or password is not right."))
        if services.mfa_required_for(user) and not user.mfa_enabled:
            raise PermissionDenied(_("Turn on two-factor sign-in in the web app first."))
        if user.mfa_enabled:
            try:
                passed = services.mfa_verify(
                    user=user, code=body.validated_data.get("code", ""), request=request._request
                )
            except AccountLocked:
                raise PermissionDenied(_("Too many failed attempts; try again later.")) from None
            if not passed:
                raise AuthenticationFailed(_("The two-factor code is missing or not right."))
        token, _created = Token.objects.get_or_create(user=user)
        services.signin_complete(user=user, request=request._request, via="api_token")
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class UserListView(ListAPIView):
    serializer_class = UserSerializer

    def get_queryset(self):
        actor: User = self.request.user
        if not (actor.can(Action.USERS_MANAGE) or actor.can(Action.ORGANISATIONS_MANAGE)):
            raise NotFound
        return selectors.users_visible_to(actor).order_by("full_name")


class UserDetailView(RetrieveAPIView):
    serializer_class = UserSerializer

    def get_object(self) -> User:
        return selectors.user_get_for(self.request.user, self.kwargs["public_id"])


class OrganisationListView(ListAPIView):
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        actor: User = self.request.user
        if not actor.can(Action.ORGANISATIONS_MANAGE):
            raise NotFound
        return selectors.organisations_visible_to(actor).order_by("name")


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("users/", UserListView.as_view(), name="api-users"),
    path("users/<str:public_id>/", UserDetailView.as_view(), name="api-user"),
    path("organisations/", OrganisationListView.as_view(), name="api-organisations"),
]
