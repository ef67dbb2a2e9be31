"""The customers: they answer the SMS they got through the sandbox's inbound SMS, as
Twilio would deliver them, also while the ingress is down.

A customer replies only once texted, with their code (sometimes in lower case), a wrong
code, JA, NEE, free text or HELP, or STOP; a customer who sent STOP sends nothing but
START, UNSTOP or YES until opted in again. An answerable reply freezes its appointment:
the practice leaves it alone from then on, so the oracle knows what the answer must be.
"""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

import httpx

from bench.soaklib import world
from bench.soaklib.journal import Appointment, Journal, Reply
from bench.soaklib.webhooks import Submit

if TYPE_CHECKING:
    from bench.soaklib.driver import Endpoints


class Customers:
    """Sends the customers' replies and records each in the journal first."""

    def __init__(self, journal: Journal, people: list[world.Customer], rng: random.Random,
                 http: httpx.Client, endpoints: Endpoints, lock: threading.Lock,
                 submit: Submit, ingress_down: threading.Event) -> None:
        self.journal = journal
        self.people = {c.id: c for c in people}
        self.rng = rng
        self.http = http
        self.endpoints = endpoints
        self.lock = lock
        self.submit = submit
        self.ingress_down = ingress_down
        self.opted_out: dict[str, tuple[float, bool]] = {}
        """Phone -> when it sent STOP, and whether the ingress was up then."""

    def maybe_reply(self, now: float) -> None:
        for phone, (since, delivered) in list(self.opted_out.items()):
            if now - since > 3 and self.rng.random() < 0.1:
                del self.opted_out[phone]
                # YES opts in only where the bridge already knows of the STOP (else it
                # confirms, as at Twilio): a STOP sent while the ingress was down may
                # still be on its way through the inbound reconciliation.
                words = ["START", "UNSTOP"] + (["YES"] if delivered and now - since > 20 else [])
                self._reply(phone, self.rng.choice(words), "start", None)
                return
        candidates = [a for a in self.journal.movable(now)
                      if a.state.start.timestamp() > now + 45
                      and self.people[a.customer_id].mobile not in self.opted_out
                      and self.people[a.customer_id].mobile]
        if not candidates:
            return
        appointment = self.rng.choice(candidates)
        mobile = self.people[appointment.customer_id].mobile
        assert mobile is not None
        if not self._has_texts(mobile):
            return
        kind = self.rng.choices(["code", "wrong_code", "ja", "nee", "text", "stop"],
                                [30, 5, 15, 25, 10, 15])[0]
        if kind == "code" and not appointment.code:
            kind = "ja"
        body = {
            "code": (appointment.code or "").lower() if self.rng.random() < 0.3
            else appointment.code or "",
            "wrong_code": "ZZ9ZZ9", "ja": self.rng.choice(["JA", "ja!", " Ja ", "Yes"]),
            "nee": self.rng.choice(["NEE", "nee.", "Annuleer", "N", "No", "AFZEGGEN"]),
            "text": self.rng.choice(["Hoe laat was het ook alweer?", "nee hoor, ik kom gewoon",
                                     "Ik ben iets later 🙂", "HELP", "info"]),
            "stop": self.rng.choice(["STOP", "Stop", "REVOKE", "OPTOUT", "CANCEL", "STOPALL",
                                     "UNSUBSCRIBE", "END", "QUIT", "AFMELDEN"]),
        }[kind]
        if kind == "text" and body.lower() in {"help", "info"}:
            kind = "help"  # Twilio answers it; the bridge must not
        if kind == "stop":
            self.opted_out[mobile] = (now, not self.ingress_down.is_set())
        else:
            appointment.frozen = True
        self._reply(mobile, body, kind, appointment)

    def _has_texts(self, phone: str) -> bool:
        sid = self.endpoints.twilio_sid
        url = f"{self.endpoints.sandbox}/2010-04-01/Accounts/{sid}/Messages.json"
        answer = self.http.get(url, params={"To": phone, "PageSize": 1},
                               auth=(sid, self.endpoints.twilio_token))
        return answer.status_code == 200 and bool(answer.json().get("messages"))

    def _reply(self, phone: str, body: str, kind: str, appointment: Appointment | None) -> None:
        reply = Reply(time.time(), phone, body, kind,
                      appointment.id if appointment else None,
                      appointment.state.status if appointment else None,
                      self.ingress_down.is_set())
        with self.lock:
            self.journal.replies.append(reply)
        self.submit(self._post_reply, phone, body)

    def _post_reply(self, phone: str, body: str) -> None:
        answer = self.http.post(f"{self.endpoints.sandbox}/_sandbox/twilio/inbound",
                                json={"from": phone, "body": body})
        if answer.status_code != 201:
            with self.lock:
                self.journal.driver_errors[f"inbound {answer.status_code}"] += 1
