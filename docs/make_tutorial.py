"""Writes docs/tutorial.md (and docs/review-screen.svg) from real runs of micromoment.

Every command shown in the tutorial runs for real in a scratch git repository, so the
tutorial cannot drift from what micromoment does. What changes from run to run (today's
date, record ids, commit hashes, the scratch folder) is replaced by stable stand-ins.

    python docs/make_tutorial.py          # rewrite the files
    python docs/make_tutorial.py --check  # exit 1 if they are out of date (CI runs this)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIAL = DOCS / "tutorial.md"
SCREEN = DOCS / "review-screen.svg"
SHOWN_DATE = "2026-01-15"
DUE_IN_DAYS = 30


def due_date() -> dt.date:
    """The follow-up's due date: a month ahead, so it is never shown overdue."""
    return dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=DUE_IN_DAYS)


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
ANSWERS = """\
# answers.yaml: item id -> answer (micromoment show genai-output-review lists them)
facts-checked: yes
sources-opened: yes
stereotypes-reread: yes
ip-reproduction-checked: na
output-handled-as-untrusted:
  answer: no
  note: the refund amount goes into the payments API unchecked
  follow_up: {action: validate the amount against the order before calling the API, owner: engineering lead, due: DUE}
output-stakes: what customers are told or promised
eval-set-rerun: {answer: skip, reason: the eval set lands next sprint with the new refund flows}
bad-outputs-filed: yes
"""


class Normaliser:
    """Stable stand-ins for what differs between runs."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = str(scratch)
        today = dt.datetime.now(dt.timezone.utc).date()
        year, week, _ = today.isocalendar()
        shown = dt.date.fromisoformat(SHOWN_DATE)
        shown_year, shown_week, _ = shown.isocalendar()
        self.dates = {
            today.isoformat(): SHOWN_DATE,
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
        text = text.replace(self.scratch, "~/refund-bot")
        text = re.sub(
            r"(\d{4}-\d{2}-\d{2})-([a-z0-9-]+?)-([0-9a-f]{4})\b",
            lambda m: f"{SHOWN_DATE}-{m[2]}-" + self._stand_in("id", m[0], "{n:04x}"),
            text,
        )
        for real, shown in self.dates.items():
            text = text.replace(real, shown)
        text = re.sub(r"\b\d{2}:\d{2}(:\d{2})? UTC\b", "10:00 UTC", text)
        return re.sub(r"\b([0-9a-f]{40}|[0-9a-f]{12}|[0-9a-f]{7})\b", self._commit, text)

    def _commit(self, match: re.Match[str]) -> str:
        value = match[0]
        if value.isdigit():
            return value
        stand_in = self._stand_in("sha", value, "{n}")
        return hashlib.sha1(f"commit {stand_in}".encode()).hexdigest()[: len(value)]


class Session:
    def __init__(self, repo: Path, normalise: Normaliser) -> None:
        self.repo = repo
        self.normalise = normalise
        self.parts: list[str] = []

    def say(self, markdown: str) -> None:
        self.parts.append(markdown.strip("\n") + "\n")

    def run(
        self, shown: str, args: list[str], *, expect: int = 0, head: int | None = None, tail: str = ""
    ) -> str:
        done = subprocess.run(
            args, cwd=self.repo, env=ENV, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if done.returncode != expect:
            raise SystemExit(
                f"{shown}: exit {done.returncode}, expected {expect}\n{done.stdout}\n{done.stderr}"
            )
        output = self.normalise((done.stdout + done.stderr).rstrip())
        lines = output.splitlines()
        if head is not None and len(lines) > head:
            lines = [*lines[:head], "..."]
        body = "\n".join(f"$ {self.normalise(shown)}".splitlines() + lines)
        self.parts.append(f"````console\n{body}\n````\n{tail}")
        return output

    def micromoment(self, shown_args: str, *, expect: int = 0, head: int | None = None) -> str:
        import shlex

        return self.run(
            f"micromoment {shown_args}",
            [sys.executable, "-m", "micromoment", *shlex.split(shown_args)],
            expect=expect,
            head=head,
        )

    def git(self, shown_args: str, *, expect: int = 0) -> str:
        import shlex

        return self.run(f"git {shown_args}", ["git", *shlex.split(shown_args)], expect=expect)

    def quiet(self, *args: str) -> None:
        subprocess.run(list(args), cwd=self.repo, env=ENV, check=True, capture_output=True)


def build(scratch: Path) -> str:
    repo = scratch / "refund-bot"
    repo.mkdir()
    normalise = Normaliser(repo)
    s = Session(repo, normalise)
    s.quiet("git", "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# Refund bot\n", encoding="utf-8")
    s.quiet("git", "add", "-A")
    s.quiet("git", "commit", "-q", "-m", "Start the refund bot")

    s.say("""
# Tutorial: from install to a reviewed prompt change

This walk-through is generated by running every command below for real, in a fresh git
repository (`docs/make_tutorial.py`; CI checks that this page is current). You will install
micromoment, let it stop a prompt change that nobody checked, record the check, and put the
result on the pull request.

## 1. Install, and look at the checklists

```sh
python3 -m venv .venv && .venv/bin/pip install . && . .venv/bin/activate
```
""")
    s.micromoment("list")
    s.say("""
Each checklist is a short set of concrete questions. `micromoment show ID` prints one with
every item's owner, minutes, guidance and references.

## 2. Set up a repository

`init` writes `.micromoment/config.yaml` (every key explained) and, with `--hook`, a git
pre-commit hook. Teams with the pre-commit framework add the `micromoment` hook to their
`.pre-commit-config.yaml` instead (see the README).
""")
    s.micromoment("init --hook")
    s.quiet("git", "add", ".micromoment")
    s.quiet("git", "commit", "-q", "-m", "Set up micromoment")
    s.say("""
## 3. Change a prompt, and get stopped

On a branch, change the refund prompt and try to commit it. A change under `prompts/`
calls for the genAI output review, and there is no record of one yet. Without a terminal
(here, and in CI) the hook never waits for input: it says what to run and stops the commit.
""")
    s.quiet("git", "checkout", "-q", "-b", "refund-prompt")
    (repo / "prompts").mkdir()
    (repo / "prompts" / "refunds.txt").write_text(
        "You help customers with refunds. Quote the amount.\n", encoding="utf-8"
    )
    s.quiet("git", "add", "prompts")
    s.git('commit -m "Refund prompt quotes the amount"', expect=1)
    s.say("""
In a terminal the hook asks right there instead. The review screen looks like this (a
recording of the same walk-through; `?` shows an item's full guidance, `b` goes back, `s`
skips with a reason):

![The review screen](review-screen.svg)

## 4. Record the review

Here the answers come from a file, the way a script or CI would give them. Every item id
is in `micromoment show genai-output-review`.
""")
    answers = ANSWERS.replace("DUE", due_date().isoformat())
    (repo / "answers.yaml").write_text(answers, encoding="utf-8")
    s.parts.append(f"```yaml\n{normalise(answers)}```\n")
    s.micromoment(
        "review genai-output-review --answers answers.yaml --subject 'Refund prompt quotes the amount'"
    )
    (repo / "answers.yaml").unlink()
    s.say("""
The record (YAML, the source of truth) and its Markdown sit next to the code. Stage them
with the change and the commit goes through:
""")
    s.git("add .micromoment")
    s.micromoment("check")
    s.git('commit -q -m "Refund prompt quotes the amount"')
    s.say("""
## 5. Show it on the pull request

In CI, `micromoment check --base origin/main` gates the pull request with the same rule,
and `micromoment pr-note --post github` keeps one comment up to date. Here is the note:
""")
    note = s.run(
        "micromoment pr-note --base main", [sys.executable, "-m", "micromoment", "pr-note", "--base", "main"]
    )
    s.say(
        "Rendered on GitHub it reads:\n\n"
        + "\n".join("> " + line if line else ">" for line in note.splitlines())
    )
    s.say("""
## 6. Follow up

The "no" answer left a follow-up with an owner. A teammate signs the review off, the owner
closes the follow-up when it is done, and the ledger adds it all up.
""")
    s.micromoment("todo")
    record_id = next((repo / ".micromoment" / "reviews").glob("*.yaml")).stem
    env = ENV.copy()
    ENV.update({"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"})
    s.micromoment(f"signoff {record_id} --note 'read five refund answers myself'")
    s.micromoment(
        f"resolve {record_id} output-handled-as-untrusted --note 'amount checked against the order'"
    )
    ENV.clear()
    ENV.update(env)
    s.micromoment("log")
    s.micromoment("stats --markdown")
    s.say("""
That is the whole loop: a few minutes of concrete checks where the change happens, a record
the team can read, and a ledger a leader can look at in a minute. Next: write your own
checklist ([checklists.md](checklists.md)), set up CI ([github.md](github.md)).
""")
    return "\n".join(s.parts)


def review_screen() -> str:
    """The review screen, recorded from the real walk-through with scripted answers."""
    from rich.console import Console

    from micromoment.capture.prompts import StreamPrompter
    from micromoment.capture.session import ReviewSession
    from micromoment.capture.walkthrough import walk
    from micromoment.checklists import load_catalog
    from micromoment.locations import Project

    class EchoingPrompter(StreamPrompter):
        def ask(self, prompt: str, *, default: str | None = None) -> str:
            reply = super().ask(prompt, default=default)
            self.console.print(reply, style="bold", markup=False, highlight=False)
            return reply

    console = Console(
        record=True, width=88, file=io.StringIO(), force_terminal=True, color_system="truecolor"
    )
    checklist = load_catalog(Project(Path(tempfile.gettempdir()))).get("quick")
    replies = "3\n\n\ny\nswapped names for placeholders in the logs\n\nn\n\n\ny\nsample ten answers before launch\n\n2026-02-01\ny\n\n\ny\n"
    session = ReviewSession(checklist, "Refund prompt quotes the amount", "screen")
    walk(session, EchoingPrompter(console, io.StringIO(replies)), lambda _: None)
    return console.export_svg(title="micromoment review")


def main() -> int:
    check = "--check" in sys.argv[1:]
    scratch = Path(tempfile.mkdtemp(prefix="micromoment-tutorial-"))
    try:
        tutorial = build(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    screen = review_screen()
    outputs = {TUTORIAL: tutorial, SCREEN: screen}
    if check:
        # The screenshot's SVG depends on rich's exact version; the commands' output is what must stay true.
        stale = [
            p.name
            for p, text in outputs.items()
            if p == TUTORIAL and (not p.exists() or p.read_text(encoding="utf-8") != text)
        ]
        if stale:
            print(f"out of date: {', '.join(stale)}; run: python docs/make_tutorial.py", file=sys.stderr)
            return 1
        print("the tutorial is current", file=sys.stderr)
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {TUTORIAL.name} and {SCREEN.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
