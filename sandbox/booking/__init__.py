"""A faithful local stand-in for the OnlineAfspraken.nl REST API (`/APIREST`)."""

from __future__ import annotations

from sandbox.booking.accounts import BookingAccounts, accounts_of
from sandbox.booking.demo_data import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.booking.errors import DataError
from sandbox.booking.practices import Practice, generated_credentials
from sandbox.booking.sandbox import BookingSandbox

__all__ = [
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "BookingAccounts",
    "BookingSandbox",
    "DataError",
    "Practice",
    "accounts_of",
    "generated_credentials",
]
