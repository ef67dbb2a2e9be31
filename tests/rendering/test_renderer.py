"""The renderer: operator overrides, fallbacks, loud errors, escaping and time zones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import TemplateError

from bridge.rendering import Choice, MessageContext, Renderer, RenderError
from tests.rendering.builders import context, local, renderer


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def operator_dir(tmp_path: Path) -> Path:
    return tmp_path / "templates"


def test_an_override_wins_and_a_missing_one_falls_back(operator_dir: Path) -> None:
    _write(operator_dir, "nl/reminder.sms.j2", "Eigen tekst van {{ practice.name }}.")
    own = renderer(templates_dir=operator_dir)
    assert own.render("reminder", "nl", "sms", context("reminder")).text == (
        "Eigen tekst van Fysiotherapie De Linde."
    )
    english = own.render("reminder", "en", "sms", context("reminder", "en")).text
    assert english.startswith("Dear Chloe,")  # not overridden: the shipped English text
    cancelled = own.render("cancelled", "nl", "sms", context("cancelled")).text
    assert "is geannuleerd" in cancelled


def test_an_overridden_layout_applies_to_the_shipped_emails(operator_dir: Path) -> None:
    _write(
        operator_dir,
        "nl/_layout.email.txt.j2",
        "Hallo!\n{% block body %}{% endblock %}\nTot ziens, {{ practice.name }}",
    )
    rendered = renderer(templates_dir=operator_dir).render(
        "reminder", "nl", "email", context("reminder")
    )
    assert rendered.text.startswith("Hallo!\nGraag herinneren wij u")
    assert rendered.text.endswith("Tot ziens, Fysiotherapie De Linde")


def test_an_undefined_variable_fails_naming_the_template(operator_dir: Path) -> None:
    _write(operator_dir, "nl/reminder.sms.j2", "Hallo\n{{ customer.nickname }}")
    with pytest.raises(RenderError) as caught:
        renderer(templates_dir=operator_dir).render("reminder", "nl", "sms", context("reminder"))
    assert caught.value.template == "nl/reminder.sms.j2"
    assert caught.value.line == 2
    assert "nickname" in str(caught.value) and "nl/reminder.sms.j2" in str(caught.value)
    assert isinstance(caught.value, TemplateError)


def test_an_undefined_name_in_a_condition_fails_too(operator_dir: Path) -> None:
    _write(operator_dir, "en/cancelled.sms.j2", "{% if customr %}x{% endif %}")
    with pytest.raises(RenderError, match=r"en/cancelled\.sms\.j2.*customr"):
        renderer(templates_dir=operator_dir).render(
            "cancelled", "en", "sms", context("cancelled", "en")
        )


def test_an_error_in_an_included_template_names_that_one(operator_dir: Path) -> None:
    _write(operator_dir, "nl/_details.email.html.j2", "<p>{{ appointment.room }}</p>")
    with pytest.raises(RenderError) as caught:
        renderer(templates_dir=operator_dir).render("reminder", "nl", "email", context("reminder"))
    assert caught.value.template == "nl/_details.email.html.j2"


def test_a_syntax_error_names_the_template_and_line(operator_dir: Path) -> None:
    _write(operator_dir, "nl/reply_help.sms.j2", "Help\n{% if %}")
    with pytest.raises(RenderError, match=r"nl/reply_help\.sms\.j2, line 2: syntax error"):
        renderer(templates_dir=operator_dir).render(
            "reply_help", "nl", "sms", context("reply_help")
        )


def test_a_missing_template_names_what_was_looked_for(shipped: Renderer) -> None:
    with pytest.raises(RenderError, match=r"nl/no_such_kind\.sms\.j2.*not found"):
        shipped.render("no_such_kind", "nl", "sms", context("reminder"))
    with pytest.raises(RenderError, match=r"reply_help\.email\.txt\.j2.*not found"):
        shipped.render("reply_help", "nl", "email", context("reply_help"))


def test_an_email_without_a_subject_block_fails(operator_dir: Path) -> None:
    _write(operator_dir, "nl/cancelled.email.txt.j2", "Geannuleerd.")
    with pytest.raises(RenderError, match="subject"):
        renderer(templates_dir=operator_dir).render(
            "cancelled", "nl", "email", context("cancelled")
        )


def test_a_templates_dir_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        renderer(templates_dir=tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("asked", "default", "used"),
    [
        ("de", "nl", "nl"),
        ("de", "en", "en"),
        ("", "nl", "nl"),
        ("../../etc", "en", "en"),
        ("EN", "nl", "en"),
        ("en-GB", "nl", "en"),
        ("nl_BE", "en", "nl"),
    ],
)
def test_language_fallback(asked: str, default: str, used: str) -> None:
    rendered = renderer(default_language=default).render(
        "reminder", asked, "sms", context("reminder")
    )
    assert rendered.language == used


def test_an_operator_language_is_used_with_its_own_date_names(operator_dir: Path) -> None:
    _write(
        operator_dir,
        "de/reminder.email.txt.j2",
        "{% extends 'nl/_layout.email.txt.j2' %}"
        "{% block subject %}Termin am {{ appointment.start|date_long }}{% endblock %}"
        "{% block body %}Um {{ appointment.start|time }}.{% endblock %}",
    )
    rendered = renderer(templates_dir=operator_dir).render(
        "reminder", "de", "email", context("reminder")
    )
    assert rendered.language == "de"
    assert rendered.subject == "Termin am Dienstag 24 November"
    assert rendered.html is None  # no German HTML part: text only, never Dutch HTML


def test_the_subject_is_defined_once_and_reused_by_the_html(shipped: Renderer) -> None:
    rendered = shipped.render("reminder", "nl", "email", context("reminder"))
    assert rendered.subject == (
        "Herinnering: uw afspraak bij Fysiotherapie De Linde op dinsdag 24 november om 14:30"
    )
    assert rendered.html is not None
    assert f"<title>{rendered.subject}</title>" in rendered.html
    assert rendered.subject not in rendered.text  # the block does not leak into the body
    assert rendered.cost is None


def test_html_is_escaped_and_text_is_not(shipped: Renderer) -> None:
    data = context("reminder", customer_first_name="<script>", practice_name="Tandarts & Co")
    rendered = shipped.render("reminder", "nl", "email", data)
    assert rendered.html is not None
    assert "&lt;script&gt;" in rendered.html and "<script>" not in rendered.html
    assert "Tandarts &amp; Co" in rendered.html
    assert "Beste <script>," in rendered.text and "Tandarts & Co" in rendered.text
    assert rendered.subject is not None and "Tandarts & Co" in rendered.subject


def test_sms_is_not_html_escaped(shipped: Renderer) -> None:
    data = context("reminder", practice_name="Tandarts & Co", customer_first_name="<b>")
    text = shipped.render("reminder", "nl", "sms", data).text
    assert "Tandarts & Co" in text and "&amp;" not in text and "Beste <b>," in text


def test_dst_end_day_shows_the_local_time(shipped: Renderer) -> None:
    """25 October 2026, summer time ends at 03:00: 10:00 local is 09:00 UTC."""
    start = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    for language, day in (("nl", "zondag 25 oktober"), ("en", "Sunday 25 October")):
        text = shipped.render(
            "reminder", language, "sms", context("reminder", language, start=start, end=None)
        ).text
        assert f"{day} {'om' if language == 'nl' else 'at'} 10:00" in text


def test_dst_start_day_shows_the_local_time(shipped: Renderer) -> None:
    start = local(2026, 3, 29, 10)  # summer time began at 02:00 that morning
    text = shipped.render("reminder", "nl", "sms", context("reminder", start=start, end=None)).text
    assert "zondag 29 maart om 10:00" in text


def test_the_renderer_is_reused_and_keeps_its_templates(shipped: Renderer) -> None:
    first = shipped._sms.get_template("nl/reminder.sms.j2")
    shipped.render("reminder", "nl", "sms", context("reminder"))
    assert shipped._sms.get_template("nl/reminder.sms.j2") is first


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        MessageContext(practice_name="P", start=datetime(2026, 11, 24, 14, 30))
    with pytest.raises(ValueError, match="aware"):
        Choice(1, datetime(2026, 11, 24, 14, 30), "Behandeling")


def test_a_context_without_practice_name_is_refused() -> None:
    with pytest.raises(ValueError, match="practice_name"):
        MessageContext(practice_name=" ")


def test_a_reply_without_an_appointment_cannot_show_one(operator_dir: Path) -> None:
    _write(operator_dir, "nl/reply_help.sms.j2", "{{ appointment.start|time }}")
    with pytest.raises(RenderError, match=r"nl/reply_help\.sms\.j2.*'None' has no attribute"):
        renderer(templates_dir=operator_dir).render(
            "reply_help", "nl", "sms", context("reply_help")
        )


def test_the_sandbox_keeps_templates_out_of_python(operator_dir: Path) -> None:
    _write(operator_dir, "nl/reply_help.sms.j2", "{{ practice.__class__.__mro__ }}")
    with pytest.raises(RenderError, match=r"nl/reply_help\.sms\.j2.*unsafe"):
        renderer(templates_dir=operator_dir).render(
            "reply_help", "nl", "sms", context("reply_help")
        )


def test_an_unknown_channel_is_a_programming_error(shipped: Renderer) -> None:
    with pytest.raises(ValueError, match="channel"):
        shipped.render("reminder", "nl", "fax", context("reminder"))
