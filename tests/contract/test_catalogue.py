"""Agendas, appointment types, resources, fields, confirmation setting."""

from __future__ import annotations

import httpx

from tests.contract.conftest import Stack


def test_agendas_and_one_agenda(stack: Stack) -> None:
    agendas = stack.api.get_agendas()
    assert agendas
    default = next(a for a in agendas if a.is_default)
    one = stack.api.get_agenda(default.id)
    assert one == default
    assert one.align_grid > 0


def test_appointment_types_some_bookable_by_consumers(stack: Stack) -> None:
    agenda = stack.api.get_agendas()[0]
    kinds = stack.api.get_appointment_types(agenda.id)
    assert len(kinds) >= 3
    bookable = [k for k in kinds if k.bookable_by_consumer]
    assert len(bookable) >= 2
    assert len(bookable) < len(kinds)
    for kind in kinds:
        assert stack.api.get_appointment_type(kind.id) == kind
        assert kind.duration_minutes > 0


def test_resources(stack: Stack) -> None:
    resources = stack.api.get_resources()
    assert len(resources) >= 2
    for resource in resources:
        assert stack.api.get_resource(resource.id) == resource


def test_fields_include_the_language_field(stack: Stack) -> None:
    agenda = stack.api.get_agendas()[0]
    fields = stack.api.get_fields(agenda.id)
    keys = {f.key for f in fields}
    assert "Taal" in keys
    assert all(f.id > 0 and f.key for f in fields)


def test_requires_confirmation_follows_the_setting(stack: Stack) -> None:
    assert stack.api.requires_confirmation() is True
    httpx.put(
        f"{stack.server.base_url}/_sandbox/settings", json={"requires_confirmation": False}
    ).raise_for_status()
    assert stack.api.requires_confirmation() is False
