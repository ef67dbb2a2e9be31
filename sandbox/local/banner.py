"""What `oabridge up` prints once everything answers: where each part runs, how to log
in to the operator page, and replies to try, in an order that works.

The first suggestion is a reply that does something: Sébastien's confirmation code
(the booking system e-mailed it to him; the sandbox keeps it in its outbox). A bare
"JA" confirms only when the bridge knows the code, which the demo's booking system
does not tell it, so the bridge asks for it. Then a cancellation (NEE) and an opt-out
(STOP, which Twilio itself answers). The people and appointments are the sandbox's
demo practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Banner", "code_of"]

#: The demo practice's customers the banner suggests replies for.
SEBASTIEN = ("+33612345678", 30012003)
CHLOE = ("+31652817346", 30012004)
ZOE = "+31620934418"


def code_of(sandbox: str, appointment_id: int) -> str | None:
    """The confirmation code the booking system sent for an appointment (its outbox)."""
    try:
        outbox = httpx.get(f"{sandbox}/_sandbox/outbox", timeout=5, trust_env=False).json()
    except (httpx.HTTPError, ValueError):
        return None
    return next((str(m["code"]) for m in outbox if isinstance(m, dict)
                 and m.get("appointment_id") == appointment_id and m.get("code")), None)


@dataclass(frozen=True)
class Banner:
    sandbox: str  # http://host:port
    ingress: str  # http://host:port
    smtp: str  # host:port
    state: Path
    redis_note: str
    #: The generated token to show; None when the user set OABRIDGE_ADMIN_TOKEN.
    admin_token: str | None
    #: The state folder held an earlier run's demo, which this one continues.
    continued: bool
    #: The state folder is ./.oabridge: commands run in this folder find the demo.
    here: bool
    faults: str = ""

    def _sms(self, sender: str, body: str) -> str:
        where = "" if self.here else f"--sandbox {self.sandbox} "
        return f"  oabridge sandbox sms {where}--from {sender} {body}"

    def _services(self) -> list[str]:
        token = (f"admin token {self.admin_token}, kept in {self.state / 'admin-token'}"
                 if self.admin_token else "log in with your OABRIDGE_ADMIN_TOKEN")
        return [
            f"oabridge is running (logs in {self.state / 'logs'}):",
            f"  sandbox booking API  {self.sandbox}/APIREST",
            f"  sandbox Twilio API   {self.sandbox}/2010-04-01  "
            f"(sent: {self.sandbox}/_sandbox/twilio/messages)",
            f"  SMTP sink            {self.smtp}  (received mail: {self.sandbox}/_sandbox/mail)",
            f"  ingress              {self.ingress}  (health: /healthz, metrics: /metrics)",
            f"  operator page        {self.ingress}/admin/  ({token})",
            f"  {self.redis_note}",
        ]

    def _replies(self, code: str | None) -> list[str]:
        second = "a second terminal in this folder" if self.here else (
            f"a second terminal, after `set -a; . {self.state / 'env'}; set +a`")
        outbox = f"{self.sandbox}/_sandbox/outbox"
        confirm = self._sms(SEBASTIEN[0], code) if code else \
            self._sms(SEBASTIEN[0], f"<his code, from {outbox}>")
        return [
            f"Answer as a customer, from {second}:",
            confirm,
            f"      Sébastien confirms appointment {SEBASTIEN[1]} with the code the booking "
            f"system e-mailed him",
            f"      (all codes: {outbox}); a bare JA confirms only when the bridge knows "
            "the code, else it asks for it",
            self._sms(CHLOE[0], "NEE"),
            f"      Chloë cancels appointment {CHLOE[1]}",
            self._sms(ZOE, "STOP"),
            "      Zoë wants no more SMS: Twilio itself answers her, and the bridge sends her "
            "none until she sends START",
            "  `oabridge messages`, `oabridge config` and `oabridge jobs failed` there show "
            "this demo too.",
        ]

    def text(self, code: str | None) -> str:
        """The banner; `code`: Sébastien's confirmation code, if the outbox had it."""
        lines = [f"Injected faults: {self.faults}  (now: {self.sandbox}/_sandbox/faults)"] \
            if self.faults else []
        lines += self._services()
        lines += ["Below: each message as it goes out, with its text; the customers' replies, "
                  "Twilio's own answers, and what each reply changed in the booking system."]
        lines += self._replies(code)
        if self.continued:
            lines.append("The demo continues where it stopped last time (`oabridge messages` "
                         "lists what it sent); `oabridge up --fresh` starts it over.")
        else:
            lines.append("This demo starts new; `oabridge up` again continues where it stops, "
                         "`oabridge up --fresh` starts it over.")
        lines.append("Press Ctrl-C to stop.")
        return "\n".join(lines) + "\n"
