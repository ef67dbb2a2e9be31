"""The send logic: planned messages and answers to replies, from claim to provider.

- `services`: `SendingServices`, everything the send logic needs (built once per process).
- `facts`: what a message says about its appointment (`CatalogueCache`, `MessageFacts`).
- `handover`: one claimed message to its provider, and what came of it recorded.
- `answers`: the bridge's answer to a customer's SMS, sent once.
"""
