"""What a practice must fix in its customers' contact data before it goes live (#17's
shadow report): each problem with the customer ids it concerns, so the practice can
correct them in OnlineAfspraken.

The same normalisation the senders use decides (`contacts.normalise_mobile`,
`normalise_email`, with the Phone field as the senders' fallback for a mobile), so the
report names exactly the customers who would get no SMS or no e-mail. A number no
customer could be texted on is one of: missing, invalid, or a landline given as a
mobile. A mobile number several customers share is named too: a reply from it cannot
be told apart (it goes by the open conversation), and an opt-out stops them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bridge.booking import Customer
from bridge.outbound.contacts import INVALID_EMAIL, normalise_email, normalise_mobile

__all__ = ["PROBLEMS", "ContactQuality", "contact_quality"]

#: Each problem's name in the report, in the order it is printed.
PROBLEMS = {
    "no_mobile_number": "no mobile number",
    "invalid_number": "invalid mobile number",
    "not_a_mobile_number": "a landline given as the mobile number",
    "shared_mobile": "one mobile number shared by several customers",
    "no_email": "no e-mail address",
    INVALID_EMAIL: "invalid e-mail address",
}


@dataclass(frozen=True)
class ContactQuality:
    customers: int
    problems: dict[str, list[int]] = field(default_factory=dict)
    """Problem (a key of `PROBLEMS`) -> the customer ids it concerns, ascending."""
    shared: dict[str, list[int]] = field(default_factory=dict)
    """A mobile number (E.164) several customers share -> their ids."""

    def lines(self) -> list[str]:
        """The report's section, one problem a line, numbers themselves not shown."""
        out = [f"customers: {self.customers}"]
        for problem, title in PROBLEMS.items():
            ids = self.problems.get(problem, [])
            if ids:
                out.append(f"{title}: {len(ids)} (customer ids {_ids(ids)})")
        return out


def contact_quality(customers: Iterable[Customer]) -> ContactQuality:
    problems: dict[str, list[int]] = defaultdict(list)
    by_mobile: dict[str, list[int]] = defaultdict(list)
    count = 0
    for customer in customers:
        count += 1
        mobile, problem = normalise_mobile(customer.mobile_phone)
        if mobile is None and customer.phone:  # the senders' fallback, as they use it
            fallback, _ = normalise_mobile(customer.phone)
            mobile, problem = (fallback, None) if fallback else (None, problem)
        if mobile is None:
            problems[problem or "invalid_number"].append(customer.id)
        else:
            by_mobile[mobile].append(customer.id)
        address, email_problem = normalise_email(customer.email)
        if address is None:
            problems[email_problem or "no_email"].append(customer.id)
    shared = {number: sorted(ids) for number, ids in by_mobile.items() if len(ids) > 1}
    problems["shared_mobile"] = sorted(i for ids in shared.values() for i in ids)
    return ContactQuality(count, {k: sorted(v) for k, v in problems.items() if v}, shared)


def _ids(ids: list[int], shown: int = 20) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(str(i) for i in ids[:shown]) + more
