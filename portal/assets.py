"""GOV.UK Frontend's compiled assets, served by the app itself from the npm package (no CDN)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_from_directory

from portal.config import settings

bp = Blueprint("assets", __name__)

TOP_LEVEL = {"govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.css.map",
             "govuk-frontend.min.js.map"}


@bp.get("/assets/<path:filename>")
def govuk(filename: str) -> Response:
    root = settings().govuk_frontend_dir
    if filename in TOP_LEVEL:
        return send_from_directory(root, filename, max_age=86400)
    # Not fonts/: GDS Transport is licensed to GOV.UK services only (app.css maps it to Arial).
    if filename.startswith("images/") or filename == "manifest.json":
        return send_from_directory(f"{root}/assets", filename, max_age=86400)
    abort(404)
