"""The portal's HTTP API, as the Rasa actions see it.

The actions run in Rasa's own Python and reach the front door only through this API (style.md: one way in).
Settings are read from the environment at call time, so tests and deployments can change them freely.
Nothing here logs what a person wrote: only the endpoint and the HTTP status.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "http://127.0.0.1:5000"
TIMEOUT_SECONDS = 5
SEARCH_RADIUS_METRES = 8047  # five miles


class PortalUnavailable(Exception):
    """The portal could not be reached, or answered with something we cannot use."""


class PortalRefused(Exception):
    """The portal understood the request and said no; `message` is plain English for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    value: Any = None
    message: str = ""


def api_url() -> str:
    return os.environ.get("FRONTDOOR_API_URL", DEFAULT_API_URL).rstrip("/")


def public_url() -> str:
    return os.environ.get("FRONTDOOR_PUBLIC_URL", DEFAULT_API_URL).rstrip("/")


def _headers() -> dict[str, str]:
    token = os.environ.get("BOT_API_TOKEN", "")
    return {"Authorization": f"Bearer {token}"} if token else {}


def _request(method: str, path: str, **kwargs: Any) -> requests.Response:
    try:
        response = requests.request(method, api_url() + path, headers=_headers(), timeout=TIMEOUT_SECONDS,
                                    **kwargs)
    except requests.RequestException as error:
        logger.warning("portal %s %s unreachable: %s", method, path, type(error).__name__)
        raise PortalUnavailable(path) from error
    logger.info("portal %s %s -> %s", method, path, response.status_code)
    return response


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise PortalUnavailable("not JSON") from error
    if not isinstance(body, dict):
        raise PortalUnavailable("not a JSON object")
    return body


def check_answer(journey: str, field: str, value: str) -> CheckResult:
    """Ask the portal to read one answer the way the web form would: cleaned value, or a message to show."""
    response = _request("POST", "/api/bot/check", json={"journey": journey, "field": field, "value": value})
    if response.status_code != 200:
        raise PortalUnavailable(f"check answered {response.status_code}")
    body = _json(response)
    if body.get("ok"):
        return CheckResult(ok=True, value=body.get("value"))
    return CheckResult(ok=False, message=str(body.get("message") or ""))


def hand_off(conversation_id: str, journey: str, answers: dict[str, Any]) -> str:
    """Turn the conversation into a contact through the portal; returns the contact's reference."""
    response = _request("POST", "/api/bot/handoff",
                        json={"conversation_id": conversation_id, "journey": journey, "answers": answers})
    if response.status_code in (200, 201):
        reference = _json(response).get("reference")
        if not reference:
            raise PortalUnavailable("handoff answered without a reference")
        return str(reference)
    if 400 <= response.status_code < 500:
        message = ""
        with contextlib.suppress(PortalUnavailable):
            message = str(_json(response).get("message") or "")
        raise PortalRefused(message)
    raise PortalUnavailable(f"handoff answered {response.status_code}")


def find_services(postcode: str, need: str | None, per_page: int = 3) -> list[dict[str, Any]]:
    """Services near a postcode from the portal's Open Referral UK API (service_at_locations)."""
    params: dict[str, Any] = {"postcode": postcode, "proximity": SEARCH_RADIUS_METRES, "per_page": per_page}
    if need:
        params["need"] = need
    response = _request("GET", "/api/oruk/service_at_locations", params=params)
    if response.status_code == 400:
        raise PortalRefused(str(_json(response).get("message") or ""))
    if response.status_code != 200:
        raise PortalUnavailable(f"service search answered {response.status_code}")
    contents = _json(response).get("contents") or []
    return [item for item in contents if isinstance(item, dict)][:per_page]
