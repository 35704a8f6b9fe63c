"""Rasa's action endpoint, served by the app so actions and the ledger share one process. Only Rasa may call it:
it shows the secret it was started with (`?token=`, Rasa's action-endpoint token); anything else is refused before
a tracker is read, so no one can pose as a device or a read-back with a forged call."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from server.deps import ServicesDep

router = APIRouter(include_in_schema=False)


@router.post("/webhook")
async def run_action(request: Request, services: ServicesDep) -> JSONResponse:
    token = request.query_params.get("token", "")
    if not hmac.compare_digest(token.encode(), services.action_secret.encode()):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    call: dict[str, Any] = await request.json()
    executor: ActionExecutor = services.actions
    try:
        result = await executor.run(call)
    except ActionExecutionRejection as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=400)
    except ActionNotFoundException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=404)
    except ActionMissingDomainException as exc:
        return JSONResponse({"error": exc.message, "action_name": exc.action_name}, status_code=449)
    return JSONResponse(result.model_dump() if result else None)
