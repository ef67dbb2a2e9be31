"""The local tools: `oabridge up` (the whole system on one machine, against the sandbox),
`oabridge walkthrough` and `oabridge sandbox`.

They ship in the `oabridge-sandbox` distribution, which registers them in the entry-point
group `oabridge.commands` (sandbox/pyproject.toml); the product's CLI finds them there and
never imports them, so an image without this distribution holds none of them. Unlike the
rest of `sandbox/`, this package may use the bridge: it runs it.
"""
