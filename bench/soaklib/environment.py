"""The bridge's configuration for a soak run: the environment every process gets.

Short reminder offsets so reminders fall due during the run; quiet hours set well away
from it so they never hold a message back; a fast poll and inbound reconciliation so
the allowances stay small; the sandbox for the booking API, Twilio and SMTP.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from bench.soaklib import world
from bench.soaklib.world import AMSTERDAM
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER

OFFSETS = {"90s": 90.0, "30s": 30.0}


def quiet_hours_away() -> str:
    """Quiet hours set for the run: an hour, starting six hours from now (local)."""
    begin = datetime.now(AMSTERDAM) + timedelta(hours=6)
    return f"{begin:%H}:00-{(begin + timedelta(hours=1)):%H}:00"


def environment(redis_url: str, ports: dict[str, int], secret: str) -> dict[str, str]:
    """This process's environment without its `OABRIDGE_*`, and the run's in their place."""
    sandbox = f"http://127.0.0.1:{ports['sandbox']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OABRIDGE_")}
    env.update({
        "OABRIDGE_REDIS_URL": redis_url,
        # Against the sandbox, with its demo credentials: allowed in sandbox mode only.
        "OABRIDGE_SANDBOX_MODE": "1",
        "OABRIDGE_API_URL": f"{sandbox}/APIREST",
        "OABRIDGE_API_KEY": DEMO_API_KEY, "OABRIDGE_API_SECRET": DEMO_API_SECRET,
        "OABRIDGE_API_TIMEOUT": "2",
        "OABRIDGE_WEBHOOK_SECRET": secret,
        "OABRIDGE_TRIGGER_TOKEN": "soak-trigger-token-0123456789",
        "OABRIDGE_POLL_INTERVAL": "2", "OABRIDGE_RECONCILE_INTERVAL": "30",
        "OABRIDGE_INBOUND_RECONCILE_INTERVAL": "5",
        "OABRIDGE_REMINDER_OFFSETS": ",".join(OFFSETS),
        "OABRIDGE_QUIET_HOURS": quiet_hours_away(),
        "OABRIDGE_TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "OABRIDGE_TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN, "OABRIDGE_TWILIO_FROM": DEMO_NUMBER,
        "OABRIDGE_TWILIO_BASE_URL": sandbox, "OABRIDGE_SMS_RATE": "0",
        "OABRIDGE_SMTP_URL": f"smtp://127.0.0.1:{ports['smtp']}",
        "OABRIDGE_MAIL_FROM": "praktijk@soak.example",
        "OABRIDGE_PUBLIC_URL": f"http://127.0.0.1:{ports['ingress']}",
        "OABRIDGE_PRACTICE_NAME": world.PRACTICE_NAME,
        "OABRIDGE_PRACTICE_PHONE": world.PRACTICE_PHONE,
    })
    return env
