"""Message texts: templates rendered for one customer, language and channel.

- `renderer`: `Renderer.render(kind, language, channel, context)` → `Rendered`.
- `context`: `MessageContext`, everything a template may use (documented there and
  in docs/templates.md); `Choice` for `reply_choose`.
- `kinds`: the shipped kinds and the channels each has.
- `environment`, `formatting`: the sandboxed Jinja environments and their filters.
- `gsm`, `cost`: GSM-7 spelling of customer data, and what an SMS costs.
- `samples`: realistic data for previews and tests.
- `unused`: files in the operator's folder that no message uses (ignored, and listed).
- `errors`: `RenderError`, naming the template and the problem.
"""

from bridge.rendering.context import Choice, MessageContext
from bridge.rendering.cost import Encoding, SmsCost, sms_cost
from bridge.rendering.errors import RenderError
from bridge.rendering.gsm import is_gsm, to_gsm
from bridge.rendering.kinds import (
    APPOINTMENT_KINDS,
    CHANNELS,
    KINDS,
    REPLY_KINDS,
    RESCHEDULED_CONFIRM,
    RETIRED_KINDS,
    channels_of,
)
from bridge.rendering.renderer import Rendered, Renderer
from bridge.rendering.unused import UnusedTemplate

__all__ = [
    "APPOINTMENT_KINDS",
    "CHANNELS",
    "KINDS",
    "REPLY_KINDS",
    "RESCHEDULED_CONFIRM",
    "RETIRED_KINDS",
    "Choice",
    "Encoding",
    "MessageContext",
    "RenderError",
    "Rendered",
    "Renderer",
    "SmsCost",
    "UnusedTemplate",
    "channels_of",
    "is_gsm",
    "sms_cost",
    "to_gsm",
]
