"""Runs every console example in README.md and docs/*.md for real, and writes or checks its output.

Each ```console block (and any other block whose output the program writes) sits under a
line naming the scenario it runs in:

    <!-- run: SCENARIO -->              the block's `$ ` commands run; the last may exit=N
    <!-- run: SCENARIO exit=1 -->
    <!-- run: SCENARIO file=GLOB -->    the block is the file the scenario leaves at GLOB

A scenario (below) builds a scratch git repository for real; the block's commands then run
through the real CLI, and their output replaces the block's. A lone `...` line in an output
stands for the lines left out: the example keeps as many lines before and after it as it
shows. A block under `<!-- file: NAME -->` is a file the scenarios of that page read, so
the input a page shows is the input its examples run on. What changes from run to run
(dates, record ids, commit hashes, the scratch folder) is replaced by stable stand-ins.
docs/tutorial.md has its own generator (make_tutorial.py).

    python docs/make_examples.py          # rewrite the examples in place
    python docs/make_examples.py --check  # exit 1 with a diff if any is out of date (CI runs this)
"""

from __future__ import annotations

import difflib
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from docrun import ENV, Normaliser

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
SHOWN_DATE = "2026-11-22"
RUN = re.compile(r"^<!-- run: (?P<scenario>[a-z0-9-]+)(?P<options>(?: [a-z]+=\S+)*) -->$")
FILE = re.compile(r"^<!-- file: (?P<name>\S+) -->$")
FENCE = re.compile(r"^(?P<fence>`{3,})(?P<lang>[a-z]*)$")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")
ELIDED = "..."


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(p for p in DOCS.glob("*.md") if p.name != "tutorial.md")]


@dataclass
class Block:
    """One fenced block of a page: where it is, what it says, and what runs it."""

    path: Path
    lang: str
    start: int  # index of its first line of content
    end: int  # index of its closing fence
    body: list[str]
    marker: str  # the line above the opening fence

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.start}"

    @property
    def run(self) -> re.Match[str] | None:
        return RUN.match(self.marker)

    def options(self) -> dict[str, str]:
        found = self.run
        return dict(o.split("=", 1) for o in found["options"].split()) if found else {}


def find_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(
            (i for i in range(index + 1, len(lines)) if lines[i] == opening["fence"]),
            len(lines),
        )
        marker = lines[index - 1] if index > 0 else ""
        blocks.append(Block(path, opening["lang"], index + 1, end, lines[index + 1 : end], marker))
        index = end + 1
    return blocks


def unmarked(blocks: list[Block]) -> list[str]:
    """Every console block, and every block with a marker, must name a scenario there is."""
    problems = []
    for block in blocks:
        found = block.run
        if block.lang == "console" and found is None:
            problems.append(f"{block.where}: a console block without `<!-- run: SCENARIO -->` above it")
        elif found is not None and found["scenario"] not in SCENARIOS:
            known = ", ".join(sorted(SCENARIOS))
            problems.append(f"{block.where}: no scenario {found['scenario']!r}; known: {known}")
    return problems


@dataclass
class Command:
    """A `$ ` line of an example and the shape of the output the page shows for it."""

    line: str
    head: int | None = None  # lines kept before a `...`; None: the whole output
    tail: int = 0

    @classmethod
    def parse(cls, body: list[str]) -> list[Command]:
        commands: list[tuple[str, list[str]]] = []
        for line in body:
            if line.startswith("$ "):
                commands.append((line, []))
            elif commands:
                commands[-1][1].append(line)
        parsed = []
        for line, output in commands:
            if ELIDED in output:
                cut = output.index(ELIDED)
                parsed.append(cls(line, cut, len(output) - cut - 1))
            else:
                parsed.append(cls(line))
        return parsed

    def shape(self, output: list[str]) -> list[str]:
        if self.head is None or len(output) <= self.head + self.tail:
            return output
        return [*output[: self.head], ELIDED, *(output[-self.tail :] if self.tail else [])]


@dataclass
class Workspace:
    """A scratch repository a scenario builds, and how to run things in it."""

    repo: Path
    normalise: Normaliser
    page_files: dict[str, str]
    env: dict[str, str] = field(default_factory=lambda: {**ENV, "PYTHONUNBUFFERED": "1"})
    keys: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def write(self, name: str, text: str) -> Path:
        path = self.repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_page_file(self, name: str, change: Callable[[str], str] = str) -> Path:
        return self.write(name, change(self.page_files[name]))

    def run(self, *args: str, check: bool = True) -> str:
        """A setup step: git, or micromoment itself; its output is not shown."""
        argv = [sys.executable, "-m", "micromoment", *args[1:]] if args[0] == "micromoment" else list(args)
        done = subprocess.run(
            argv, cwd=self.repo, env=self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if check and done.returncode != 0:
            raise SystemExit(f"setup step {shlex.join(args)}: exit {done.returncode}\n{done.stderr}")
        return done.stdout

    def commit(self, message: str, *paths: str) -> None:
        self.run("git", "add", *(paths or ("-A",)))
        self.run("git", "commit", "-q", "-m", message)


Scenario = Callable[[Workspace], None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(function: Scenario) -> Scenario:
    SCENARIOS[function.__name__.replace("_", "-")] = function
    return function


def argv_of(line: str) -> list[str]:
    argv = shlex.split(line[2:], comments=True)
    return [sys.executable, "-m", "micromoment", *argv[1:]] if argv[0] == "micromoment" else argv


def run_command(ws: Workspace, line: str, keys: list[tuple[str, str]] | None) -> tuple[int, str]:
    argv = argv_of(ws.normalise.real_ids(line))
    if keys is None:
        done = subprocess.run(
            argv,
            cwd=ws.repo,
            env=ws.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        return done.returncode, done.stdout
    return in_terminal(ws, argv, keys)


def in_terminal(ws: Workspace, argv: list[str], keys: list[tuple[str, str]]) -> tuple[int, str]:
    """The command in a real pseudo-terminal, typing each reply once its prompt shows."""
    import pexpect

    env = {k: v for k, v in ws.env.items() if k != "MICROMOMENT_NONINTERACTIVE"}
    screen = io.StringIO()
    child = pexpect.spawn(
        argv[0], argv[1:], cwd=str(ws.repo), env=env, encoding="utf-8", timeout=10, dimensions=(60, 88)
    )
    child.logfile_read = screen
    try:
        for expected, reply in keys:
            child.expect_exact(expected)
            child.sendline(reply)
        child.expect(pexpect.EOF)
    except pexpect.TIMEOUT:
        child.terminate(force=True)
        raise SystemExit(
            f"{shlex.join(argv[2:])}: no {expected!r} on the screen; it shows:\n{child.before}"
        ) from None
    child.close()
    output = ANSI.sub("", screen.getvalue().replace("\r\n", "\n").replace("\r", ""))
    return child.exitstatus if child.exitstatus is not None else -1, output


def page_files(path: Path) -> dict[str, str]:
    return {
        found["name"]: "\n".join(block.body) + "\n"
        for block in find_blocks(path)
        if (found := FILE.match(block.marker))
    }


def fresh_workspace(scratch: Path, files: dict[str, str]) -> Workspace:
    repo = scratch / "refund-bot"
    repo.mkdir()
    ws = Workspace(repo, Normaliser(repo, SHOWN_DATE), files)
    ws.run("git", "init", "-q", "-b", "main")
    ws.write("README.md", "# Refund bot\n")
    ws.commit("Start the refund bot")
    return ws


def example(block: Block) -> list[str]:
    """The block as real runs make it today."""
    found = block.run
    assert found is not None
    scratch = Path(tempfile.mkdtemp(prefix="micromoment-example-"))
    try:
        ws = fresh_workspace(scratch, page_files(block.path))
        SCENARIOS[found["scenario"]](ws)
        options = block.options()
        if "file" in options:
            matches = sorted(ws.repo.glob(options["file"]))
            if len(matches) != 1:
                raise SystemExit(f"{block.where}: {options['file']} matches {len(matches)} files, not 1")
            text = ws.normalise(matches[0].read_text(encoding="utf-8")).rstrip("\n")
            return Command("", *shape_of(block.body)).shape(text.splitlines())
        return run_block(ws, block, int(options.get("exit", "0")))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def shape_of(body: list[str]) -> tuple[int | None, int]:
    if ELIDED not in body:
        return None, 0
    cut = body.index(ELIDED)
    return cut, len(body) - cut - 1


def run_block(ws: Workspace, block: Block, last_exit: int) -> list[str]:
    commands = Command.parse(block.body)
    if not commands:
        raise SystemExit(f"{block.where}: a console block without a `$ ` command")
    shown: list[str] = []
    for number, command in enumerate(commands):
        expected = last_exit if number == len(commands) - 1 else 0
        code, output = run_command(ws, command.line, ws.keys.get(number))
        if code != expected:
            raise SystemExit(f"{block.where}: {command.line}: exit {code}, expected {expected}\n{output}")
        lines = ws.normalise(output.rstrip()).splitlines() if output.strip() else []
        shown += [command.line, *command.shape([line.rstrip() for line in lines])]
    return shown


def current(path: Path) -> tuple[str, list[str]]:
    """The page with every example made by real runs, and what differs from the page as it is."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    blocks = [b for b in find_blocks(path) if b.run is not None]
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(example, blocks))
    stale = []
    for block, body in reversed(list(zip(blocks, made, strict=True))):
        if body != block.body:
            stale.append(block.where)
            lines[block.start : block.end] = body
    return "\n".join(lines) + ("\n" if text.endswith("\n") else ""), stale


def main() -> int:
    check = "--check" in sys.argv[1:]
    pages = doc_files()
    problems = [p for page in pages for p in unmarked(find_blocks(page))]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    out_of_date = 0
    for page in pages:
        old = page.read_text(encoding="utf-8")
        new, stale = current(page)
        if not stale:
            continue
        out_of_date += len(stale)
        name = str(page.relative_to(ROOT))
        if check:
            print(f"out of date: {', '.join(sorted(stale))}", file=sys.stderr)
            sys.stderr.writelines(
                difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, f"{name} (real runs)")
            )
        else:
            page.write_text(new, encoding="utf-8")
            print(f"rewrote {', '.join(sorted(stale))}", file=sys.stderr)
    if check and out_of_date:
        print("run: python docs/make_examples.py", file=sys.stderr)
        return 1
    print("the examples are current" if check else "the examples are written", file=sys.stderr)
    return 0


# The scenarios: each builds, for real, the repository its examples run in.


@scenario
def built_ins(ws: Workspace) -> None:
    """A fresh repository with the built-in checklists only."""


@scenario
def quick_answers(ws: Workspace) -> None:
    """On the branch refund-bot, the page's answers.yaml ready for a quick check."""
    ws.run("git", "checkout", "-q", "-b", "refund-bot")
    ws.write_page_file("answers.yaml")


@scenario
def quick_record(ws: Workspace) -> None:
    """The quick check recorded from the page's answers.yaml."""
    quick_answers(ws)
    ws.run("micromoment", "review", "quick", "--answers", "answers.yaml")


@scenario
def prompt_change(ws: Workspace) -> None:
    """A change to the refund prompt, staged on a branch, with nothing recorded for it."""
    ws.run("git", "checkout", "-q", "-b", "refund-prompt")
    ws.write("prompts/refunds.txt", "You help customers with refunds. Quote the amount.\n")
    ws.run("git", "add", "prompts")


@scenario
def model_in_code(ws: Workspace) -> None:
    """The refund bot's model call in code, committed; on a branch, the model switched and staged."""
    bot = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef refund_reply(question):\n"
        '    return client.chat.completions.create(\n        model="gpt-4o-mini",\n'
        '        messages=[{"role": "user", "content": question}],\n    )\n'
    )
    ws.write("bot.py", bot)
    ws.commit("Answer refund questions with a model")
    ws.run("git", "checkout", "-q", "-b", "newer-model")
    ws.write("bot.py", bot.replace("gpt-4o-mini", "gpt-4.1"))
    ws.run("git", "add", "bot.py")


@scenario
def checklist_mistake(ws: Workspace) -> None:
    """The page's support-bot checklist, with 0 minutes where it needs more."""
    ws.write_page_file(
        ".micromoment/checklists/support-bot.yaml", lambda text: text.replace("minutes: 5", "minutes: 0")
    )


@scenario
def unearned_signoff(ws: Workspace) -> None:
    """A reviewed prompt change whose one sign-off was committed by the author, not the signer."""
    from docrun import due_date
    from make_tutorial import ANSWERS

    ws.write(
        ".micromoment/config.yaml",
        "checklists:\n  genai-output-review:\n    signoffs: 1\n",
    )
    ws.commit("Reviews of prompt changes need a second person")
    ws.run("git", "checkout", "-q", "-b", "support-prompt")
    ws.write("prompts/support.txt", "You answer support questions in two sentences.\n")
    ws.write("answers.yaml", ANSWERS.replace("DUE", due_date().isoformat()))
    ws.run("micromoment", "review", "genai-output-review", "--answers", "answers.yaml")
    (ws.repo / "answers.yaml").unlink()
    ws.commit("Support prompt, reviewed")
    record = next((ws.repo / ".micromoment/reviews").glob("*.yaml")).stem
    ws.env.update({"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"})
    ws.run("micromoment", "signoff", record, "--note", "read ten support answers")
    ws.env.update({"GIT_AUTHOR_NAME": "Pat Product", "GIT_AUTHOR_EMAIL": "pat@example.com"})
    ws.commit("Dana's sign-off")


SUPPORT_QUESTIONS = [
    ("How long does a refund take?", "Refunds reach your card within 5 to 10 business days."),
    ("Can I return a sale item?", "Sale items can be returned within 30 days like any other item."),
    ("Do you refund shipping?", "Yes, see our shipping-refunds page for the details."),
    ("Can I get a refund on a gift card?", "Gift cards cannot be refunded, but they never expire."),
]


def support_log(ws: Workspace) -> None:
    rows = []
    for number in range(16):
        question, answer = SUPPORT_QUESTIONS[number % len(SUPPORT_QUESTIONS)]
        rows.append(
            {
                "request_id": f"req-{1001 + number}",
                "channel": "app" if number < 8 else "web",
                "input": question,
                "output": answer,
            }
        )
    ws.write("logs/support-2026-11-22.jsonl", "".join(json.dumps(row) + "\n" for row in rows))


@scenario
def support_logs(ws: Workspace) -> None:
    """A support bot's log of questions and answers, in JSON Lines."""
    support_log(ws)


@scenario
def support_judgments(ws: Workspace) -> None:
    """The support log, and a judgments file for the rows the page's draw picks."""
    support_log(ws)
    drawn = ws.run(
        "micromoment", "sample", "logs/support-2026-11-22.jsonl", "--id-field", "request_id",
        "--where", "channel=app", "-n", "3", "--seed", "1", "--json",
    )  # fmt: skip
    # Judged as a reader would: by what each drawn output says.
    verdicts = {
        "shipping-refunds": '{flag: invented-source, note: "the shipping-refunds page does not exist"}',
        "Sale items": '{flag: wrong-fact, note: "sale items are final sale in our policy"}',
    }
    judged = [
        (row["id"], next((v for k, v in verdicts.items() if k in row["output"]), "ok"))
        for row in json.loads(drawn)["outputs"]
    ]
    ws.write("judgments.yaml", "".join(f"{i}: {v}\n" for i, v in judged))


KEYS = "o ok · f flag · ? help · b back · s skip"


@scenario
def run_42_outputs(ws: Workspace) -> None:
    """An eval run's outputs; the reader flags one wrong fact and one invented link among five."""
    rows = [
        {"id": f"case-{n + 1}", "prompt": question, "output": answer}
        for n, (question, answer) in enumerate(SUPPORT_QUESTIONS * 2)
    ]
    ws.write("evals/run-42.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    ws.keys[0] = [
        (KEYS, "o"),
        (KEYS, "1 -- our refund window is 30 days, not 60"),
        (KEYS, "2 -- there is no such page"),
        (KEYS, "o"),
        (KEYS, "o"),
        ("Save this sample?", "y"),
    ]


@scenario
def promptfoo_results(ws: Workspace) -> None:
    """A promptfoo results file; the reader flags the second output they are shown as a wrong fact."""
    system = "You are the support assistant of Shop. Answer in two sentences."
    results = [
        {
            "prompt": {"raw": f"{system}\nQuestion: {question}"},
            "response": {"output": answer},
            "vars": {"question": question},
        }
        for question, answer in SUPPORT_QUESTIONS * 2
    ]
    ws.write("evals/results.json", json.dumps({"results": {"results": results}}, indent=2) + "\n")
    # Seed 42 shows the sale-item answer first, then the refund time, then the shipping page.
    ws.keys[0] = [
        (KEYS, "f"),
        ("Category 1-6", "1"),
        ("Note: what is wrong", "sale items are final sale"),
        (KEYS, "o"),
        (KEYS, "2"),
        ("Note: what is wrong", "there is no shipping-refunds page"),
        ("Save this sample?", "y"),
    ]


if __name__ == "__main__":
    sys.exit(main())
