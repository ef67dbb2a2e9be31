"""Fixed demo credentials and numbers, so a demo can be started and followed without setup.

They look like real Twilio values (`AC` + 32 hex, a 32-hex token, an `MG` service) so the
bridge's own validation of its settings accepts them, but they belong to no account.
"""

from __future__ import annotations

API_VERSION = "2010-04-01"

DEMO_ACCOUNT_SID = "ACb8eabede1284abc8f99d2526e6ef4de7"
DEMO_AUTH_TOKEN = "ff4c5eb7bc0392ea2c8b94471dde9a9d"
DEMO_MESSAGING_SERVICE_SID = "MGe8bdcc69073ad8b599f17721b44b682a"

# A Dutch "097" number: the range Dutch operators assign to machine-to-machine use and the
# one Twilio sells for SMS in the Netherlands (ordinary 06 numbers are not for sale).
DEMO_NUMBER = "+3197010000000"

# Twilio's test credentials accept this one magic sender as "a number you own".
MAGIC_VALID_SENDER = "+15005550006"
