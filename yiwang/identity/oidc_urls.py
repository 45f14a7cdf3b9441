"""OpenID Connect endpoints, in django-oauth-toolkit's namespace so that its own reverse() calls resolve.

Discovery sits at the site root, so the issuer is the site itself (https://host), as OIDC Discovery expects.
"""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from yiwang.identity.oidc import AuditedLogoutView, AuditedUserInfoView, ConsentView, DiscoveryView

app_name = "oauth2_provider"

urlpatterns = [
    re_path(r"^\.well-known/openid-configuration/?$", DiscoveryView.as_view(), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    path("o/authorize/", ConsentView.as_view(), name="authorize"),
    path("o/token/", oauth_views.TokenView.as_view(), name="token"),
    path("o/revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
    path("o/userinfo/", AuditedUserInfoView.as_view(), name="user-info"),
    path("o/logout/", AuditedLogoutView.as_view(), name="rp-initiated-logout"),
]
