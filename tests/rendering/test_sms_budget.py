"""The shipped SMS texts stay GSM-7 and within two segments with the longest real data.

One character outside GSM-7 makes a message UCS-2 (70 characters per segment
instead of 160), and every segment is billed. The longest realistic values are the
`longest` sample set: a 41-letter practice name with "&", a 40-letter appointment
type, a 32-letter practitioner, double first names with diacritics, an 8-character
code and Wednesday 30 September, the longest day and month names in both languages.
"""

from __future__ import annotations

import pytest

from bridge.rendering import APPOINTMENT_KINDS, KINDS, Encoding, Renderer, channels_of
from tests.rendering.builders import LANGUAGES, NAMES_WITH_DIACRITICS, NO_MAPPING_NAME, context

SMS_KINDS = [kind for kind in KINDS if "sms" in channels_of(kind)]
LIMIT = 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SMS_KINDS)
def test_longest_realistic_sms_is_gsm_and_fits(shipped: Renderer, kind: str, language: str) -> None:
    for can_reply in (True, False):
        longest = context(kind, language, longest=True, can_reply=can_reply)
        cost = shipped.render(kind, language, "sms", longest).cost
        assert cost is not None
        assert cost.encoding is Encoding.GSM_7, kind
        assert cost.segments <= LIMIT, f"{kind} {language}: {cost}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES_WITH_DIACRITICS)
@pytest.mark.parametrize("kind", APPOINTMENT_KINDS)
def test_names_with_diacritics_stay_gsm(
    shipped: Renderer, kind: str, language: str, name: str
) -> None:
    data = context(
        kind,
        language,
        longest=True,
        customer_first_name=f"Anne-{name}",
        practitioner=f"{name} van der Sluijs",
        appointment_type=f"Intake – {name}",
    )
    rendered = shipped.render(kind, language, "sms", data)
    assert rendered.cost is not None
    assert rendered.cost.encoding is Encoding.GSM_7
    assert rendered.cost.segments <= LIMIT
    assert "–" not in rendered.text  # the en dash became a hyphen


def test_diacritics_that_gsm_has_are_kept(shipped: Renderer) -> None:
    text = shipped.render(
        "reminder", "nl", "sms", context("reminder", customer_first_name="Sébastien")
    ).text
    assert text.startswith("Beste Sébastien,")
    text = shipped.render(
        "reminder", "nl", "sms", context("reminder", customer_first_name="Daniëlle")
    ).text
    assert text.startswith("Beste Danielle,")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_name_without_gsm_spelling_makes_only_that_message_ucs2(
    shipped: Renderer, language: str
) -> None:
    """Documented behaviour: the name is kept as written, and the SMS goes out as UCS-2."""
    data = context("reminder", language, customer_first_name=NO_MAPPING_NAME)
    rendered = shipped.render("reminder", language, "sms", data)
    assert rendered.cost is not None
    assert NO_MAPPING_NAME in rendered.text
    assert rendered.cost.encoding is Encoding.UCS_2
    # the name is the only reason: without it the same text is GSM-7
    without = rendered.text.replace(NO_MAPPING_NAME, "Fang")
    assert (
        shipped.render(
            "reminder", language, "sms", context("reminder", language, customer_first_name="Fang")
        ).text
        == without
    )
    assert rendered.cost.segments <= 4
