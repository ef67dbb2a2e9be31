"""The operator page at /admin: server-rendered, read-mostly, behind a token.

- `routes`: `admin_routes()` for `bridge.http.app` to mount, the login and every page.
- `auth`: the token check, sessions kept in Redis (logout ends them) and CSRF tokens.
- `pages`: the Jinja environment (autoescaped) and the answers' security headers.
- `display`: masking and practice-local times, used by every view.
- `overview`, `messages`, `conversations`, `upcoming`, `failed_jobs`, `previews`:
  one module per view, each reading Redis (or rendering templates) into plain rows.

Phone numbers and e-mail addresses are always masked. Message texts are shown with
any number or address inside them masked; customer names in texts stay readable,
which is acceptable for the practice's own operators: they know their customers
by name, and a text without the name would not show what the customer got.
"""

from bridge.admin.routes import admin_routes

__all__ = ["admin_routes"]
