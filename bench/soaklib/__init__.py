"""The chaos soak (issue #8): the whole system as separate processes, attacked on purpose.

`bench/soak.py` is the command; the parts live here, one concept each: the practice's
world (`world`), the bridge's environment for the run (`environment`), the processes
(`system`), the sandbox's faults (`faults`) and the kills (`chaos`), what the soak did
(`journal`), the practice (`driver`) with its webhooks (`webhooks`) and its customers
(`customers`), what the outside world saw (`evidence`, read back by `texts`), the
bridge's skip records (`skip_stream`) and queues (`queues`), the rules the messages must
follow (`oracle`, which runs `reply_rules`, `planned_rules` and `skip_rules` into a
`verdict`, with the kinds of `kinds`), and the printed table (`report`). The oracle
imports nothing of the bridge's planner or reply handling: it follows the issues' text.
"""
