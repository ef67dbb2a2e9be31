"""Customers' SMS replies: understood, decided by the pure rules in
`bridge.domain.reply_decision`, acted on upstream, answered once.

- `handling`: one reply, from its inbound record to its answer.
- `upstream`: the confirm and cancel calls, and the record of what they changed.
- `answer`, `answer_context`: the stored answer and what its template is given.
- `reconcile`: replies the ingress missed, found by asking Twilio.
- `services`: `ReplyServices`, what all of it needs, built once per worker process.
"""
