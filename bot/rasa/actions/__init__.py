"""Front Door's custom actions, served by `rasa run actions` (the Rasa SDK finds the `actions` package)."""
