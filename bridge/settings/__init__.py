"""The bridge's configuration: read once from the environment, at the edge.

Every setting is an environment variable with the prefix `OABRIDGE_` (the names are
public: deploy files and users rely on them). `load_settings` returns one frozen,
typed `Settings` object that is passed down; nothing else reads `os.environ`.
A bad value, or an `OABRIDGE_` variable that no setting has (a typo), stops start-up
with one line naming the variable; so does a guessable secret: a placeholder, a short
token, or the sandbox's demo credentials outside sandbox mode (`secret_checks`).
"""

from __future__ import annotations

from bridge.settings.loading import load_settings, load_startup_settings
from bridge.settings.model import ENV_PREFIX, Settings, SettingsError

__all__ = ["ENV_PREFIX", "Settings", "SettingsError", "load_settings", "load_startup_settings"]
