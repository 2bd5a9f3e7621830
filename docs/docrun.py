"""What the doc generators share: a clean environment for real runs, and stable stand-ins for what changes."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
from pathlib import Path

DUE_IN_DAYS = 30

ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MICROMOMENT_", "PRE_COMMIT"))},
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Pat Product",
    "GIT_AUTHOR_EMAIL": "pat@example.com",
    "GIT_COMMITTER_NAME": "Pat Product",
    "GIT_COMMITTER_EMAIL": "pat@example.com",
    "MICROMOMENT_NONINTERACTIVE": "1",
    "COLUMNS": "88",
    "NO_COLOR": "1",
    "TERM": "dumb",
}


def due_date() -> dt.date:
    """A follow-up's due date: a month ahead, so it is never shown overdue."""
    return dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=DUE_IN_DAYS)


class Normaliser:
    """Stable stand-ins for what differs between runs: dates, record ids, commit hashes, the scratch folder."""

    def __init__(self, scratch: Path, shown_date: str, shown_folder: str = "~/refund-bot") -> None:
        self.scratch = str(scratch)
        self.shown_date = shown_date
        self.shown_folder = shown_folder
        today = dt.datetime.now(dt.timezone.utc).date()
        year, week, _ = today.isocalendar()
        shown = dt.date.fromisoformat(shown_date)
        shown_year, shown_week, _ = shown.isocalendar()
        self.dates = {
            today.isoformat(): shown_date,
            due_date().isoformat(): (shown + dt.timedelta(days=DUE_IN_DAYS)).isoformat(),
            f"{year}-W{week:02d}": f"{shown_year}-W{shown_week:02d}",
        }
        self.seen: dict[str, str] = {}

    def _stand_in(self, kind: str, value: str, make: str) -> str:
        key = f"{kind}:{value}"
        if key not in self.seen:
            self.seen[key] = make.format(n=sum(1 for k in self.seen if k.startswith(kind)) + 1)
        return self.seen[key]

    def __call__(self, text: str) -> str:
        text = text.replace(self.scratch, self.shown_folder)
        text = re.sub(
            r"(\d{4}-\d{2}-\d{2})-([a-z0-9-]+?)-([0-9a-f]{4})\b",
            lambda m: self._record_id(m[0], m[2]),
            text,
        )
        for real, shown in self.dates.items():
            text = text.replace(real, shown)
        text = re.sub(r"\b\d{2}:\d{2}(:\d{2})? UTC\b", "10:00 UTC", text)
        return re.sub(r"\b([0-9a-f]{40}|[0-9a-f]{12}|[0-9a-f]{10}|[0-9a-f]{7})\b", self._commit, text)

    def _record_id(self, real: str, name: str) -> str:
        return f"{self.shown_date}-{name}-" + self._stand_in("id", real, "{n:04x}")

    def real_ids(self, text: str) -> str:
        """The reverse for record ids: a command shown with a stand-in id runs with the real one."""
        for key, stand_in in self.seen.items():
            kind, real = key.split(":", 1)
            if kind == "id":
                name = real[len("YYYY-MM-DD-") : -len("-xxxx")]
                text = text.replace(f"{self.shown_date}-{name}-{stand_in}", real)
        return text

    def _commit(self, match: re.Match[str]) -> str:
        value = match[0]
        # A number stays a number; but an abbreviated commit id is all digits now and then (about
        # one 10-character id in a hundred), and must get its stand-in like any other.
        if value.isdigit() and not self._is_commit(value):
            return value
        stand_in = self._stand_in("sha", value, "{n}")
        return hashlib.sha1(f"commit {stand_in}".encode()).hexdigest()[: len(value)]

    def _is_commit(self, value: str) -> bool:
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{value}^{{commit}}"],
            cwd=self.scratch,
            capture_output=True,
            check=False,
        )
        return found.returncode == 0
