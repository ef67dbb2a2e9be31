"""The practices, kept in one Redis hash (`keys.PRACTICES`): slug -> JSON record.

Practice `default` needs no record: a deployment configured by environment alone serves
it, live. A record for it holds only what was changed (its mode, say). Every change is
one HSET of the whole record, so a reader sees the old or the new, never a mix.
"""

from __future__ import annotations

import json
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
from bridge.store import keys
from bridge.store.text import as_text

__all__ = ["PracticeRegistry"]


class PracticeRegistry:
    def __init__(self, redis: Redis, box: SecretBox, clock: Callable[[], float],
                 check: Callable[[Practice], object] = lambda practice: None) -> None:
        """`check` refuses (raises `PracticeError`) a record before it is written: the
        commands pass one that validates the practice's effective settings."""
        self.redis = redis
        self.box = box
        self.clock = clock
        self.check = check

    def add(self, slug: str, settings: dict[str, str]) -> Practice:
        """A new practice, in shadow: it sends nothing until it goes live."""
        check_slug(slug)
        if slug == DEFAULT_SLUG or self.redis.hexists(keys.PRACTICES, slug):
            raise PracticeError(f"practice {slug} exists already (change it with "
                                f"`oabridge practices set {slug}`)")
        practice = Practice(slug, Mode.SHADOW, self.clock()).with_overrides(settings, self.box)
        self.check(practice)
        if not self.redis.hsetnx(keys.PRACTICES, slug, _dumps(practice)):
            raise PracticeError(f"practice {slug} exists already")
        return practice

    def get(self, slug: str) -> Practice:
        raw = self.redis.hget(keys.PRACTICES, slug)
        if raw is None:
            if slug == DEFAULT_SLUG:
                return Practice(DEFAULT_SLUG, Mode.LIVE, 0.0)
            raise PracticeNotFoundError(f"no practice {slug[:60]!r} (see `oabridge "
                                        "practices list`)")
        return _loads(slug, as_text(raw))

    def all(self) -> list[Practice]:
        """Every practice, `default` first, then by slug."""
        stored = {as_text(slug): as_text(raw)
                  for slug, raw in self.redis.hgetall(keys.PRACTICES).items()}
        found = [_loads(slug, raw) for slug, raw in sorted(stored.items())
                 if slug != DEFAULT_SLUG]
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
        if not self.redis.hdel(keys.PRACTICES, slug):
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
        if practice.slug != DEFAULT_SLUG and not self.redis.hexists(keys.PRACTICES,
                                                                    practice.slug):
            raise PracticeNotFoundError(f"no practice {practice.slug[:60]!r}")
        self.redis.hset(keys.PRACTICES, practice.slug, _dumps(practice))


def _dumps(practice: Practice) -> str:
    return json.dumps({"mode": practice.mode.value, "mode_since": practice.mode_since,
                       "settings": practice.overrides}, sort_keys=True)


def _loads(slug: str, raw: str) -> Practice:
    data = json.loads(raw)
    return Practice(slug, Mode(data["mode"]), float(data["mode_since"]),
                    {str(k): str(v) for k, v in data.get("settings", {}).items()})
