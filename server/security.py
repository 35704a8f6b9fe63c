"""What the app's own pages may do in a browser, and which pages may open a device socket.

Every response says `nosniff` and may not be framed; the screens (`/tablet`, `/screens/…`) get a content security
policy that allows only the app itself (scripts, styles, the turn API and the device sockets; photos and recordings
as blob:/data: URLs). There is no CORS: a page of another origin cannot read the API's answers. A browser opening
a device socket sends its page's origin: only the app's own origin (or one configured) may."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from starlette.websockets import WebSocket

SCREEN_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                 "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                 "form-action 'self'")
_SCREENS = ("/tablet", "/dashboard", "/screens/")


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.url.path.startswith(_SCREENS):
            response.headers.setdefault("Content-Security-Policy", SCREEN_POLICY)
        return response


def origin_allowed(websocket: WebSocket, allowed: Iterable[str]) -> bool:
    """A socket without an Origin (a headset, a script) is judged by its token alone; a browser's must be the app's
    own page (same host as the socket) or one of the configured origins."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    host = websocket.headers.get("host", "")
    return urlsplit(origin).netloc == host or origin.rstrip("/") in {a.rstrip("/") for a in allowed}
