"""Learning what changed upstream: from the booking API's appointments to the domain's
snapshots, and the polls and reconciliations that read them."""
