"""Queues, job definitions and the ways jobs get onto them."""
