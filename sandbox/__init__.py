"""Local stand-ins for the services oabridge talks to, for demos and tests.

`sandbox.booking` simulates the OnlineAfspraken.nl REST API; `sandbox.app` serves it over
HTTP, `sandbox.server` runs it in a background thread and `sandbox.cli` in the foreground.
"""
