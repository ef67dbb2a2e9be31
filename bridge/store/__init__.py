"""Everything the bridge keeps in Redis, each kind of key owned by one module."""
