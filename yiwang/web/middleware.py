"""Language: Simplified Chinese unless the person chose English with the switch; API clients may ask by header."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages follow the language cookie (set by the visible switch), else Chinese — not the browser's
    Accept-Language, so a government portal opened on an English-language browser still greets in Chinese.
    The JSON API keeps Django's negotiation, so a client can ask for English problem messages by header."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
