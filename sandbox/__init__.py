"""Local stand-ins for the services oabridge talks to, for demos and tests.

`sandbox.booking` simulates the OnlineAfspraken.nl REST API; `sandbox.app` serves it over
HTTP, `sandbox.server` runs it in a background thread and `sandbox.cli` in the foreground.
None of it imports the bridge. `sandbox.local` does: the local tools (`oabridge up`,
`walkthrough`, `sandbox`) that run the bridge against these stand-ins. All of it is the
distribution oabridge-sandbox (`sandbox/pyproject.toml`), which the production image leaves
out.
"""
