"""The HTTP ingress: signed webhooks, poll triggers, health, metrics (served by
`bridge.http.app`, next to the operator page)."""
