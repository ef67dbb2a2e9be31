"""Calculation-model settings: per appointment type, the booking engine's plugins."""

from __future__ import annotations

import json

from bridge.booking import decode
from bridge.booking.calls import CallerBase
from bridge.booking.models import CalculationModel, CalculationModelSettings

__all__ = ["CalculationCalls"]

JsonValue = dict[str, object] | list[object] | str | int | float | bool | None


class CalculationCalls(CallerBase):
    def get_calculation_model_settings(
        self, agenda_id: int, appointment_type_id: int, model: CalculationModel
    ) -> CalculationModelSettings:
        """`getCalculationModelSettings`."""
        return self._one(
            "getCalculationModelSettings",
            decode.calculation_model,
            {"AgendaId": agenda_id, "AppTypeId": appointment_type_id, "CalculationModel": model},
        )

    def set_calculation_model_settings(
        self,
        agenda_id: int,
        appointment_type_id: int,
        model: CalculationModel,
        value: JsonValue,
        *,
        enabled: bool | None = None,
    ) -> None:
        """`setCalculationModelSettings`; `value` is sent JSON-encoded."""
        self._void(
            "setCalculationModelSettings",
            {
                "AgendaId": agenda_id,
                "AppTypeId": appointment_type_id,
                "CalculationModel": model,
                "Value": json.dumps(value, separators=(",", ":")),
                "Enabled": enabled,
            },
        )
