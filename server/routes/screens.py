"""The screens devices open in a browser: the shop tablet (write or photograph an order, check the draft, tap
confirm), the headset view (speak, see the read-back, confirm, follow the route and the AGV). Static files only;
everything they do goes through the turn API or the device socket with the device's token."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, JSONResponse

from assistant.catalogue import section
from server.security import SCREEN_POLICY

router = APIRouter(tags=["screens"], include_in_schema=False)

SCREENS = Path(__file__).resolve().parent.parent / "screens"
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}


@router.get("/tablet")
async def tablet() -> FileResponse:
    return FileResponse(SCREENS / "tablet.html", media_type=_TYPES[".html"])


@router.get("/dashboard")
async def dashboard() -> FileResponse:
    """The supervisors' dashboard (`/dashboard#token=…`); its data comes over `/ws/dashboard`."""
    return FileResponse(SCREENS / "dashboard.html", media_type=_TYPES[".html"])


@router.get("/headset")
async def headset() -> FileResponse:
    # The page's own policy (the app's scripts, styles and sockets only), as the tablet's screens get it.
    return FileResponse(SCREENS / "headset.html", media_type=_TYPES[".html"],
                        headers={"Content-Security-Policy": SCREEN_POLICY})


@router.get("/screens/labels.json")
async def labels() -> JSONResponse:
    """The words of the screens, from the one catalogue (code → [Mandarin, English]); static like the page."""
    return JSONResponse({code: list(entry) for code, entry in section("ui-").items()},
                        headers={"Cache-Control": "max-age=300"})


@router.get("/screens/{name}")
async def screen_file(name: str) -> FileResponse:
    path = SCREENS / name
    if "/" in name or path.suffix not in _TYPES or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=_TYPES[path.suffix])
