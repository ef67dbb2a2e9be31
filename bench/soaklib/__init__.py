"""The chaos soak (issue #8): the whole system as separate processes, attacked on purpose.

`bench/soak.py` is the command; the parts live here, one concept each: the practice's
world (`world`), the processes (`system`), what the soak did (`journal`), the practice
and its customers (`driver`), reading the messages back (`texts`), the rules the
messages must follow (`oracle`), and the printed table (`report`). The oracle imports
nothing of the bridge's planner or reply handling: it follows the issues' text.
"""
