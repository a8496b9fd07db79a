# SPDX-License-Identifier: Apache-2.0
"""HTTP GET for the npm and image registries (an answer, not an exception, for 401 and 404:
both drive the protocol) and the time-limited cache of their answers."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from porting_advisor.online.indexes import basic_auth, redact
from porting_advisor.online.simple import CACHE_SECONDS, IndexError_

LIMIT = 64 << 20  # a registry document larger than this is refused


@dataclass(frozen=True, slots=True)
class Answer:
    status: int  # HTTP status
    body: bytes
    headers: dict[str, str]  # lower-case names


def get(url: str, headers: dict[str, str], timeout: float = 20.0) -> Answer:
    """GET `url`; raises IndexError_ (no credentials in it) when the host cannot be reached or
    answers an error other than 401/404."""
    shown = redact(url)
    url, auth = basic_auth(url)
    if auth:  # (a caller's own Authorization, a registry token, wins)
        headers = {"Authorization": auth, **headers}
    request = urllib.request.Request(url, headers={"User-Agent": "porting-advisor", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            body = r.read(LIMIT + 1)
            if len(body) > LIMIT:
                raise IndexError_(f"{shown}: answer larger than {LIMIT >> 20} MiB")
            return Answer(r.status, body, {k.lower(): v for k, v in r.headers.items()})
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 404):
            found = {k.lower(): v for k, v in (exc.headers or {}).items()}
            return Answer(exc.code, b"", found)
        raise IndexError_(f"{shown}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise IndexError_(f"{shown}: {redact(str(getattr(exc, 'reason', exc)))}") from None


def cached(cache_dir: Path | None, key: str, ask: Callable[[], Any]) -> Any:
    """`ask()` (a JSON value) kept in `cache_dir` for CACHE_SECONDS under `key` (hashed: a
    key may hold a token)."""
    path = None
    if cache_dir is not None:
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        path = cache_dir / "online" / f"{name}.json"
        try:
            if time.time() - path.stat().st_mtime < CACHE_SECONDS:
                return json.loads(path.read_text())
        except (OSError, ValueError):
            pass
    value = ask()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        except OSError:
            pass  # a read-only cache folder: ask again next time
    return value
