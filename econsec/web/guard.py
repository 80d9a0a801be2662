"""Protection of the web pages: CSRF tokens, security headers and a sign-in rate limit.

* **CSRF**: a random token in the ``econsec_csrf`` cookie (HttpOnly, Secure, SameSite=Strict)
  that every form repeats in a hidden ``csrf`` field; a POST whose field does not equal the
  cookie is refused (403). The session cookie is SameSite=Strict as well.
* **Headers** on every page and asset: a Content-Security-Policy that allows only the app's own
  scripts, styles, images and fonts (no inline script or style), no framing, no referrer, no
  MIME sniffing, and no caching of pages.
* **Rate limit**: at most ``LIMIT`` sign-in attempts per client address per ``WINDOW`` seconds,
  on top of the per-account lockout of the security service.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from fastapi import Request, Response

from econsec.errors import AccessDenied, EconsecError

CSRF_COOKIE = "econsec_csrf"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csrf_token(request: Request) -> str:
    """The request's CSRF token (a new one when the browser has none yet)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the token made for this request, if one was made."""
    token = getattr(request.state, "new_csrf", None)
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, secure=True, samesite="strict", path="/"
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form whose token is missing or is not the cookie's."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise AccessDenied("the form has expired or did not come from this site; reload it")


class TooManyAttempts(EconsecError):
    """Too many sign-in attempts from one address."""

    status_code = 429


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (in this process)."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count an event, or raise TooManyAttempts when the key is over its limit."""
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                wait = int(events[0] + self.window - now) + 1
                raise TooManyAttempts(f"too many sign-in attempts; wait {wait} s")
            events.append(now)
            if len(self._events) > 10_000:  # forget idle addresses
                for stale in [k for k, v in self._events.items() if not v]:
                    del self._events[stale]
