"""The one clock: now, in UTC, to the second (what records store). Light: no pydantic."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
