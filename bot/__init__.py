"""Messaging channels: the Twilio webhook, web chat, the safety screen and the Rasa project (issue 5)."""
