"""Two gaps a review of #15 found in the start-up refusals, each run as a real command.

- The Secret template's `KEDA_` variables reach the pods through the same Secret, and
  deploy/README.md promises that any `CHANGE_ME` left in it stops them.
- An ingress with neither `OABRIDGE_ERASURE_KEY` nor `OABRIDGE_API_SECRET` would key the
  erasure tombstones with a public constant (and apart from the workers' key).
"""

from __future__ import annotations

import pytest

from tests.security.secret_startup import environment, refusal, start


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_keda_placeholder_left_in_the_secret_stops_the_process(command: str) -> None:
    env = environment() | {"KEDA_REDIS_PASSWORD": "CHANGE_ME"}
    assert refusal(command, env) == ("oabridge: invalid configuration: KEDA_REDIS_PASSWORD "
                                     "is the placeholder CHANGE_ME; set a real secret")


@pytest.mark.slow
def test_an_ingress_without_a_key_for_the_tombstones_does_not_start() -> None:
    env = environment(API_KEY="", API_SECRET="")
    line = refusal("serve", env)
    assert line.startswith("oabridge: invalid configuration: ")
    assert "OABRIDGE_ERASURE_KEY and OABRIDGE_API_SECRET are both empty" in line


@pytest.mark.slow
def test_an_ingress_with_a_key_of_its_own_needs_no_api_secret() -> None:
    env = environment(API_KEY="", API_SECRET="", ERASURE_KEY="an-erasure-key-of-its-own")
    assert start("serve", env, timeout=4).code is None  # still serving: it started
