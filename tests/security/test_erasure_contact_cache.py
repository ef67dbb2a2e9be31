"""Issue #15, finding 1: the contact cache was filled again for an erased customer. An
answer's language came from `contacts.get` for the appointment's customer with no
tombstone check, so a reply about an erased customer's appointment (from another number)
fetched and cached their details again for a day. Now the contact book itself honours
the tombstones, for every path. Real HTTP (the booking sandbox), Redis.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bridge.replies.answer import Answer
from bridge.replies.answer_context import language_of
from bridge.store import keys
from tests.flow.conftest import Flow, make_flow  # noqa: F401  (the fixture)
from tests.flow.test_replies import prompted, started
from tests.security.erasing import erase, traces

pytestmark = pytest.mark.slow

MakeFlow = Callable[..., Flow]


@pytest.fixture
def flow(make_flow: MakeFlow) -> Flow:  # noqa: F811
    return started(make_flow())


def test_an_answer_about_an_erased_customers_appointment_caches_nothing(
    flow: Flow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    appointment = prompted(flow, "06-21000073")
    customer = flow.api.get_appointment(appointment).customer_id
    assert customer is not None
    address = flow.api.get_customer(customer).email
    assert erase(flow, monkeypatch, capsys, "--customer", str(customer))[0] == 0

    answer = Answer("reply_help", appointment_id=appointment)  # another number asked
    assert language_of(flow.rt.replies, answer) == flow.settings.default_language
    assert not flow.redis.exists(keys.customer_cache(customer))
    assert traces(flow.redis, "+31621000073", "31621000073", address) == []
    assert flow.rt.contacts.get(customer) is None
