"""`oabridge up`: the whole system on one machine, against the sandbox."""
