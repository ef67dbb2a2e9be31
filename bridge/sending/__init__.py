"""The send logic: planned messages and answers to replies, from claim to provider.

- `services`: `SendingServices`, everything the send logic needs (built once per
  worker process by `workers.runtime`).
- `batch`: a batch of due messages on a thread pool, or one message on its own; one
  message's failure never fails its batch.
- `delivery`: one planned message: still wanted, channels, record, render, claim, send.
- `still_wanted`: whether the appointment as it is now still wants the message.
- `facts`: what a message says about its appointment (`CatalogueCache`, `MessageFacts`).
- `texts`: rendering a logged message; a template that does not render fails it.
- `handover`: one claimed message to its provider, and what came of it recorded.
- `answers`: the bridge's answer to a customer's SMS, sent once.
"""
