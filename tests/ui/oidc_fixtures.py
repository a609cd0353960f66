"""A local OpenID provider for the login tests: ``oidc-provider-mock`` (a Flask app) served by
werkzeug in a thread of the test process on a free port of 127.0.0.1, and the Streamlit
``secrets.toml`` that points the app at it.

The provider accepts any client id and secret and any redirect URI. Its authorisation page asks
for the subject (``sub``); the claims of a subject are set beforehand with ``PUT /users/<sub>``
(:func:`set_claims`); a subject without claims signs in with ``{"email": sub}``. Its pages link a
stylesheet on a CDN: the browser tests block every request that does not go to 127.0.0.1.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

CLIENT_ID = "smart-city-portfolio"
CLIENT_SECRET = "test-client-secret"  # the mock accepts any secret


@contextmanager
def oidc_provider() -> Iterator[str]:
    """Serve a fresh mock provider on 127.0.0.1; yields its issuer URL (``http://127.0.0.1:N``)."""
    import werkzeug.serving

    with warnings.catch_warnings():  # it imports Authlib modules Authlib has deprecated
        import authlib.deprecate  # its import turns these warnings on: filter after it

        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        import oidc_provider_mock

    app = oidc_provider_mock.app(require_nonce=True, issue_refresh_token=False)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def set_claims(issuer: str, sub: str, claims: Mapping[str, object]) -> None:
    """What the provider puts into the ID token of ``sub`` (besides ``sub`` itself)."""
    request = urllib.request.Request(
        f"{issuer}/users/{quote(sub, safe='')}",
        data=json.dumps(dict(claims)).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 204, answer.status


def write_secrets(folder: Path, issuer: str) -> Path:
    """A ``secrets.toml`` with the ``[auth]`` section for ``issuer``; Streamlit fills in the
    port of ``redirect_uri`` (``{port}``) itself."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path
