"""The HTTP ingress: signed webhooks, poll triggers, health, metrics."""
