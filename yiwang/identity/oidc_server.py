"""The OAuth 2 / OpenID Connect server of oauthlib, narrowed to what Yiwang's clients may use."""

from __future__ import annotations

from typing import Any

from oauthlib.openid import Server


class S256OnlyServer(Server):
    """PKCE with the S256 method only: the `plain` method would send the verifier in the clear."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        for grant in (self.auth_grant, self.openid_connect_auth.proxy_target):
            grant._code_challenge_methods = {"S256": grant._code_challenge_methods["S256"]}
