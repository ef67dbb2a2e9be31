"""The practices' registry: adding, changing, modes and the key's rotation, over their
records in Redis (`bridge.store.practice_records`).

Practice `default` needs no record: a deployment configured by environment alone serves
it, live. A record for it holds only what was changed (its mode, say).
"""

from __future__ import annotations

from collections.abc import Callable

from redis import Redis

from bridge.practices.errors import PracticeError, PracticeNotFoundError
from bridge.practices.practice import (
    DEFAULT_SLUG,
    SECRET_FIELDS,
    Mode,
    Practice,
    check_slug,
)
from bridge.practices.secret_box import SecretBox
from bridge.store.practice_records import PracticeRecord, PracticeRecords

__all__ = ["PracticeRegistry"]


class PracticeRegistry:
    def __init__(self, redis: Redis, box: SecretBox, clock: Callable[[], float],
                 check: Callable[[Practice], object] = lambda practice: None) -> None:
        """`check` refuses (raises `PracticeError`) a record before it is written: the
        commands pass one that validates the practice's effective settings."""
        self.records = PracticeRecords(redis)
        self.box = box
        self.clock = clock
        self.check = check

    def add(self, slug: str, settings: dict[str, str]) -> Practice:
        """A new practice, in shadow: it sends nothing until it goes live."""
        check_slug(slug)
        if slug == DEFAULT_SLUG or self.records.exists(slug):
            raise PracticeError(f"practice {slug} exists already (change it with "
                                f"`oabridge practices set {slug}`)")
        practice = Practice(slug, Mode.SHADOW, self.clock()).with_overrides(settings, self.box)
        self.check(practice)
        if not self.records.create(_record(practice)):
            raise PracticeError(f"practice {slug} exists already")
        return practice

    def get(self, slug: str) -> Practice:
        record = self.records.get(slug)
        if record is None:
            if slug == DEFAULT_SLUG:
                return Practice(DEFAULT_SLUG, Mode.LIVE, 0.0)
            raise PracticeNotFoundError(f"no practice {slug[:60]!r} (see `oabridge "
                                        "practices list`)")
        return _practice(record)

    def all(self) -> list[Practice]:
        """Every practice, `default` first, then by slug."""
        found = [_practice(record) for record in self.records.all()
                 if record.slug != DEFAULT_SLUG]
        return [self.get(DEFAULT_SLUG), *found]

    def change(self, slug: str, settings: dict[str, str]) -> Practice:
        practice = self.get(slug).with_overrides(settings, self.box)
        self.check(practice)
        self._put(practice)
        return practice

    def set_mode(self, slug: str, mode: Mode) -> tuple[Practice, Mode]:
        """The practice in `mode` from now, and the mode it had."""
        before = self.get(slug)
        if before.mode is mode:
            return before, mode
        practice = Practice(slug, mode, self.clock(), before.overrides)
        self._put(practice)
        return practice, before.mode

    def remove(self, slug: str) -> None:
        if slug == DEFAULT_SLUG:
            raise PracticeError("practice default is the deployment's own settings; pause it "
                                "instead, or unset its OABRIDGE_* settings")
        if not self.records.delete(slug):
            raise PracticeNotFoundError(f"no practice {slug[:60]!r}")

    def rotate_secrets(self) -> int:
        """Every stored secret re-encrypted under the newest key; how many."""
        rotated = 0
        for practice in self.all():
            if not any(name in SECRET_FIELDS and value
                       for name, value in practice.overrides.items()):
                continue
            overrides = {name: (self.box.rotate(value) if name in SECRET_FIELDS and value
                                else value)
                         for name, value in practice.overrides.items()}
            self._put(Practice(practice.slug, practice.mode, practice.mode_since, overrides))
            rotated += sum(1 for name, value in overrides.items()
                           if name in SECRET_FIELDS and value)
        return rotated

    def _put(self, practice: Practice) -> None:
        if practice.slug != DEFAULT_SLUG and not self.records.exists(practice.slug):
            raise PracticeNotFoundError(f"no practice {practice.slug[:60]!r}")
        self.records.put(_record(practice))


def _record(practice: Practice) -> PracticeRecord:
    return PracticeRecord(practice.slug, practice.mode.value, practice.mode_since,
                          dict(practice.overrides))


def _practice(record: PracticeRecord) -> Practice:
    return Practice(record.slug, Mode(record.mode), record.mode_since, dict(record.settings))
