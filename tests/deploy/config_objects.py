"""The rendered ConfigMap and Secret, read as the bridge's pods read them."""

from __future__ import annotations

import base64

from tests.deploy.conftest import Manifest, find


def secret_values(secret: Manifest) -> dict[str, str]:
    values = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
    values.update(secret.get("stringData", {}))
    return values


def config_map(objects: list[Manifest]) -> Manifest:
    (found,) = [o for o in find(objects, "ConfigMap")
                if o["metadata"]["name"].startswith("oabridge-config")]
    return found
