"""What a customer's SMS reply means: one pure function from text to an intent.

A reply is understood as a whole, never by a keyword somewhere inside it. It is first
normalised (`normalise`): Unicode NFKC, case-folded, accents stripped (é → e), every
run of characters that are not letters or digits (punctuation, emoji, control
characters) made one space, ends trimmed. Then the whole message must be one of:

- a Twilio keyword, alone: opt out (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
  REVOKE, OPTOUT, and our Dutch AFMELDEN), opt in (START, UNSTOP, and YES from a
  number that has opted out), help (HELP, INFO). These are Twilio's default opt-out,
  opt-in and help words (Twilio docs, "Advanced Opt-Out" and its support article
  "Twilio support for opt-out keywords"), so the bridge and the carrier agree:
  CANCEL unsubscribes and never cancels an appointment. Twilio acts only on
  single-word messages, so a repeated one ("stop stop") is not one of these;
- a confirm word (JA, J, JAWEL, OK, OKE, BEVESTIG, YES, Y) or a cancel word (NEE, N,
  ANNULEER, AFZEGGEN, NO), alone or repeated ("ja ja"); YES confirms unless the number
  has opted out (then, as at Twilio, it opts in again);
- a choice `1`..`9`, answering "several upcoming appointments; reply with the number";
- a confirmation code: an ASCII token of 4-12 letters and digits with at least one of
  each (so neither a plain number nor a keyword is a code), returned upper-case. A
  customer often writes both, so a confirm word and/or the word CODE before it ("JA
  K7M3QP", "ja, code K7M3QP", "code: K7M3QP") still gives the code.

Anything else is UNKNOWN and changes nothing (the caller answers with a short help
text): sentences that merely contain a keyword ("nee hoor, ik kom gewoon", "Yes
please", "Cancel please"), near-misses ("Jaa", "okay"; only listed words count, OKE
being the Dutch spelling of OK), emoji alone, an empty reply, and any body longer
than 320 characters (which also caps the work done on hostile input).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

__all__ = ["Intent", "Reply", "normalise", "understand"]

MAX_LENGTH = 320


class Intent(Enum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    CODE = "code"
    CHOICE = "choice"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reply:
    intent: Intent
    code: str | None = None  # for CODE, upper-case
    choice: int | None = None  # for CHOICE, 1..9
    keyword: str = ""  # the normalised word that decided it ("" for UNKNOWN and CODE)


_CONFIRM = frozenset({"ja", "j", "jawel", "ok", "oke", "bevestig", "yes", "y"})
_CANCEL = frozenset({"nee", "n", "annuleer", "afzeggen", "no"})
# Twilio's defaults (acted on by the carrier side, single word only), plus AFMELDEN.
_OPT_OUT = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "afmelden"}
)
_OPT_IN = frozenset({"start", "unstop"})  # and "yes", but only from an opted-out number
_OPTED_OUT_OPT_IN = "yes"
_HELP = frozenset({"help", "info"})

_SINGLE_WORDS: dict[str, Intent] = {
    **{w: Intent.OPT_OUT for w in _OPT_OUT},
    **{w: Intent.OPT_IN for w in _OPT_IN},
    **{w: Intent.HELP for w in _HELP},
}
_REPEATABLE_WORDS: dict[str, Intent] = {
    **{w: Intent.CONFIRM for w in _CONFIRM},
    **{w: Intent.CANCEL for w in _CANCEL},
}

_CHOICE = re.compile(r"[1-9]")
_CODE = re.compile(r"(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{4,12}", re.ASCII)
_CODE_WORD = "code"


def normalise(text: str) -> str:
    """`" Jà!! 👍 "` → `"ja"`: NFKC, case-folded, accents off, non-alphanumerics a space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    bare = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if unicodedata.category(c)[0] != "M"
    )
    composed = unicodedata.normalize("NFKC", bare).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in composed).split())


def understand(text: str, *, opted_out: bool = False) -> Reply:
    """The intent of a whole reply; never raises. `opted_out`: the sender has opted out."""
    if len(text) > MAX_LENGTH:
        return Reply(Intent.UNKNOWN)
    words = normalise(text).split()
    if len(words) == 1:
        return _one_word(words[0], opted_out=opted_out)
    if len(words) > 1 and len(set(words)) == 1 and words[0] in _REPEATABLE_WORDS:
        return Reply(_REPEATABLE_WORDS[words[0]], keyword=words[0])
    return _code_with_prefix(words)


def _one_word(word: str, *, opted_out: bool) -> Reply:
    if opted_out and word == _OPTED_OUT_OPT_IN:
        return Reply(Intent.OPT_IN, keyword=word)
    intent = _SINGLE_WORDS.get(word) or _REPEATABLE_WORDS.get(word)
    if intent is not None:
        return Reply(intent, keyword=word)
    if _CHOICE.fullmatch(word):
        return Reply(Intent.CHOICE, choice=int(word), keyword=word)
    return _code_with_prefix([word])


def _code_with_prefix(words: list[str]) -> Reply:
    """`[confirm word] [code] <code>` → CODE; anything else UNKNOWN."""
    if not words or not _CODE.fullmatch(words[-1]):
        return Reply(Intent.UNKNOWN)
    prefix = words[:-1]
    if prefix and prefix[-1] == _CODE_WORD:
        prefix = prefix[:-1]
    if len(prefix) > 1 or (prefix and prefix[0] not in _CONFIRM):
        return Reply(Intent.UNKNOWN)
    return Reply(Intent.CODE, code=words[-1].upper())
