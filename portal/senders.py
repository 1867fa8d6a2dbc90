"""Which way the worker sends: the console in development, SMTP and Twilio when configured."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mash.outbox import ConsoleSender, RoutingSender, Sender, SmtpSender, TwilioSender


def sender_from_config(config: Mapping[str, Any]) -> Sender:
    configured = config.get("SMTP_HOST") or config.get("TWILIO_ACCOUNT_SID")
    if config.get("FRONTDOOR_ENV") == "development" or not configured:
        return ConsoleSender(Path(config["INSTANCE_PATH"]) / "outbox")
    email: Sender = (SmtpSender(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587), config["SMTP_FROM"],
                                config.get("SMTP_USERNAME"), config.get("SMTP_PASSWORD"))
                     if config.get("SMTP_HOST") else ConsoleSender(Path(config["INSTANCE_PATH"]) / "outbox"))
    sms: Sender = (TwilioSender(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_NUMBER"])
                   if config.get("TWILIO_ACCOUNT_SID") else ConsoleSender(Path(config["INSTANCE_PATH"]) / "outbox"))
    return RoutingSender(email=email, sms=sms)
