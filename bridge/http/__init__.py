"""The HTTP service: what the ingress and the operator page share, and the app joining them.

- `body`, `problems`: reading a request body with a limit; the JSON error answers.
- `context`: the connections, stores and clock every route reaches, opened per app.
- `request_counter`: the per-route answer counts behind `/metrics`.
- `app`: `create_app`, the one place that joins `bridge.ingress` and `bridge.admin`
  (which import neither each other nor `app`).
"""
