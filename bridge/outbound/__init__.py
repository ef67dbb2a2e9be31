"""Everything that leaves the bridge for a customer: contacts, senders, limits."""
