"""The API's authentication over the whole OpenAPI document (the URL map lives in config, so the guard rail too)."""

from yiwang.config.api import api
from yiwang.conftest import bearer_client


def test_every_write_that_takes_a_bearer_token_takes_it_without_a_csrf_token(accounts):
    """A department's system calls with a token and no browser session: no write may refuse it for CSRF.

    Guard rail over the whole OpenAPI document: every POST, PUT, PATCH and DELETE whose security offers the bearer
    token is sent with a valid one (an administrator's) and an empty JSON body; it may be refused for its body or
    not found, but never for CSRF and never as unauthenticated.
    """
    client = bearer_client(accounts.admin, "token-for-admin-system-0123456789")
    schema = api.get_openapi_schema()
    sent = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch", "delete"}:
                continue
            if not any("BearerToken" in option for option in operation.get("security", [])):
                continue
            url = "/api/v1" + path.removeprefix("/api/v1")
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", "1")
            response = client.generic(method.upper(), url, "{}", content_type="application/json")
            sent.append((method, path))
            assert response.status_code != 401, (method, path, response.content)
            assert b"CSRF" not in response.content, (method, path, response.content)
    assert len(sent) >= 20  # the guard rail covers the API's writes, not an empty list
