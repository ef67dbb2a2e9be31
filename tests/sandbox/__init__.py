"""Tests of the booking sandbox (sandbox/), driven through its API, HTTP app and CLI."""
