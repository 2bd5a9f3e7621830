"""The leaders' report: built from two real repositories, opened in headless Chromium with no network."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import struct
import subprocess
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import FIXTURES, PATIENCE, Cli, git, write
from micromoment.ledger.charts import horizontal_bars, nice_ceiling, stacked_bars
from micromoment.ledger.report import weeks_between
from micromoment.locations import display_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DANA = {"GIT_AUTHOR_NAME": "Dana Lead", "GIT_AUTHOR_EMAIL": "dana@example.com"}
HOSTILE = (
    'the bot said <script>alert("x")</script> and <b>bold</b>, "quoted", with commas,\nand a second line'
)
REPOS = ("alpha", "beta")


def _review(cli: Cli, repo: Path, name: str, answers: str, subject: str) -> str:
    path = write(repo.parent / f"{name}.yaml", answers)
    done = cli("review", "mini", "--answers", str(path), "--subject", subject)
    assert done.exit_code == 0, done.output
    return re.findall(r"reviews/(\S+)\.yaml", done.output)[0]


def make_repositories(cli: Cli, top: Path) -> list[Path]:
    """Two repositories with reviews, a reasoned skip, sign-offs and follow-ups (one long overdue)."""
    alpha, beta = top / "alpha", top / "beta"
    for repo in (alpha, beta):
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        write(
            repo / ".micromoment/checklists/mini.yaml", (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
        )
    mp = pytest.MonkeyPatch()
    try:
        mp.chdir(alpha)
        hostile = json.dumps(HOSTILE)
        first = _review(
            cli,
            alpha,
            "a1",
            "data-kind: customer data\ndata-masked: yes\nfacts-checked:\n  answer: no\n"
            f"  note: {hostile}\n"
            "  follow_up: {action: ground answers in the policy page, owner: engineering lead, due: 2020-01-06}\n",
            "refund <em>bot</em>",
        )
        second = _review(cli, alpha, "a2", "data-kind: none\nfacts-checked: yes\nreviewer: Sam\n", "search")
        assert cli("signoff", second, env=DANA).exit_code == 0
        skip = cli("skip", "mini", "--reason", "renames the prompt file; its text is unchanged")
        assert skip.exit_code == 0, skip.output
        git(alpha, "add", "-A")
        git(alpha, "commit", "-q", "-m", "records")
        mp.chdir(beta)
        third = _review(
            cli,
            beta,
            "b1",
            "data-kind: none\nfacts-checked:\n  answer: no\n"
            "  follow_up: {action: add an eval set, owner: data lead, due: 2999-01-01}\n",
            "onboarding",
        )
        _review(
            cli,
            beta,
            "b2",
            "data-kind: none\nfacts-checked: {answer: skip, reason: waiting for the eval set}\n",
            "tone",
        )
        assert cli("signoff", third, "--decision", "changes-requested", env=DANA).exit_code == 0
        assert first
    finally:
        mp.undo()
    return [alpha, beta]


def repo_args(repos: list[Path]) -> list[str]:
    return [arg for repo in repos for arg in ("--repo", str(repo))]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object], list[Path]]]:
    """One report over the two repositories, shared by the tests of this file, and `stats --json` beside it."""
    top = tmp_path_factory.mktemp("report")
    mp = pytest.MonkeyPatch()
    home = top / "home"
    home.mkdir()
    for name, value in {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Pat Product",
        "GIT_AUTHOR_EMAIL": "pat@example.com",
        "GIT_COMMITTER_NAME": "Pat Product",
        "GIT_COMMITTER_EMAIL": "pat@example.com",
    }.items():
        mp.setenv(name, value)
    try:
        cli = Cli()
        repos = make_repositories(cli, top)
        built = cli("report", "--html", str(top / "out"), *repo_args(repos), "--title", "Checkout & <Growth>")
        assert built.exit_code == 0, built.output
        figures = json.loads(cli("stats", "--json", *repo_args(repos)).stdout)
        yield top / "out", figures, repos
    finally:
        mp.undo()


class Page(HTMLParser):
    """What the tests need from a page: links, ids, metrics, elements, text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.metrics: dict[str, tuple[str, str]] = {}
        self.tags: list[str] = []
        self.text: list[str] = []
        self._metric: tuple[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if "id" in found:
            self.ids.add(found["id"])
        for key in ("href", "src"):
            if key in found:
                self.links.append(found[key])
        if "data-metric" in found:
            self._metric = (found["data-metric"], found.get("data-value", ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._metric:
            self.metrics[self._metric[0]] = (self._metric[1], data.strip())
            self._metric = None


def test_figures_equal_stats_json(site: tuple[Path, dict[str, object], list[Path]]) -> None:
    out, figures, _ = site
    page = Page((out / "index.html").read_text(encoding="utf-8"))
    totals, follow, signed = figures["totals"], figures["follow_ups"], figures["signoffs"]  # type: ignore[index]
    assert totals == {"reviews": 4, "skips": 1, "answers": 9, "no": 2, "skipped_items": 1, "people": 2}
    assert follow == {"opened": 2, "resolved": 0, "open": 2, "overdue": 1}
    assert signed == {"reviews": 4, "signed": 1, "rate": 0.25}
    assert figures["checklists"] == [  # type: ignore[index]
        {"checklist": "mini", "reviews": 4, "skips": 1, "answers": 9, "no": 2, "skipped_items": 1}
    ]
    assert figures["people"] == [  # type: ignore[index]
        {"name": "Pat Product", "reviews": 4, "skips": 1, "answers": 9, "signoffs_given": 0},
        {"name": "Dana Lead", "reviews": 0, "skips": 0, "answers": 0, "signoffs_given": 2},
    ]
    assert [(r["item"], r["count"]) for r in figures["most_no"]] == [("facts-checked", 2)]  # type: ignore[index]
    assert [(r["item"], r["count"]) for r in figures["most_skipped"]] == [("facts-checked", 1)]  # type: ignore[index]
    assert page.metrics == {
        "reviews": ("4", "4"),
        "skips": ("1", "1"),
        "people": ("2", "2"),
        "signoff-rate": ("0.25", "25%"),
        "followups-open": ("2", "2"),
        "followups-overdue": ("1", "1"),
    }


def test_every_link_resolves_inside_the_report_and_nothing_loads_from_outside(
    site: tuple[Path, dict[str, object], list[Path]],
) -> None:
    out, _, _ = site
    pages = sorted(out.rglob("*.html"))
    names = {p.relative_to(out).as_posix() for p in pages}
    assert {"index.html", "reviews.html", "checklists/mini.html"} <= names
    assert sum(1 for n in names if n.startswith("reviews/alpha/")) == 2
    assert sum(1 for n in names if n.startswith("reviews/beta/")) == 2
    reached = {"index.html"}
    for path in pages:
        page = Page(path.read_text(encoding="utf-8"))
        assert "script" not in page.tags and "iframe" not in page.tags
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                assert path.parent.name in REPOS, f"{path}: external link {link}"  # evidence, on review pages
                continue
            assert not parts.scheme and not link.startswith("//"), f"{path}: {link}"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file() and out.resolve() in target.parents, f"{path}: {link} goes nowhere"
            if parts.fragment:
                assert parts.fragment in Page(target.read_text(encoding="utf-8")).ids, f"{path}: {link}"
            reached.add(target.relative_to(out.resolve()).as_posix())
    assert names <= reached  # every page is linked from another
    css = (out / "report.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css
    assert "prefers-color-scheme: dark" in css and "@media print" in css


def test_hostile_record_text_is_only_ever_text(site: tuple[Path, dict[str, object], list[Path]]) -> None:
    out, _, _ = site
    [review] = [
        p for p in (out / "reviews/alpha").glob("*.html") if "refund" in p.read_text(encoding="utf-8")
    ]
    html = review.read_text(encoding="utf-8")
    page = Page(html)
    assert "script" not in page.tags and "b" not in page.tags and "em" not in page.tags
    assert HOSTILE in "".join(page.text)  # the whole note, newline included, as text
    assert "refund <em>bot</em>" in "".join(page.text)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert "Checkout & <Growth>" in "".join(index.text) and "Growth" not in index.tags


def test_review_page_shows_what_the_markdown_record_shows(
    site: tuple[Path, dict[str, object], list[Path]],
) -> None:
    out, _, repos = site
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark").enable("table").render
    markdowns = sorted((repos[0] / ".micromoment/reviews").glob("*.md"))
    assert len(markdowns) == 2
    for markdown in markdowns:
        page = out / "reviews/alpha" / f"{markdown.stem}.html"
        text = " ".join("".join(Page(page.read_text(encoding="utf-8")).text).split())
        shown = Page(render(markdown.read_text(encoding="utf-8"))).text
        chunks = [" ".join(chunk.split()) for chunk in shown if chunk.strip()]
        assert len(chunks) > 20
        for chunk in chunks:
            assert chunk in text, f"{page.name} lacks {chunk!r}"


def test_overdue_follow_up_is_listed_with_its_owner_and_a_link(
    site: tuple[Path, dict[str, object], list[Path]],
) -> None:
    out, _, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    overdue = html.split('id="overdue-h"')[1].split("</ul>")[0]
    assert "engineering lead" in overdue and "2020-01-06" in overdue and "#follow-ups" in overdue
    assert "data lead" not in overdue  # due in 2999: open, not overdue
    assert "renames the prompt file; its text is unchanged" in html
    assert "waiting for the eval set" not in html  # an item skip is counted, its reason is on the review page


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and how many distinct byte values the image's pixel data holds."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return width, height, len(set(pixels))


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM
    return subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--proxy-server=127.0.0.1:9",  # no network: anything fetched from outside fails
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_in_a_browser_without_network(
    site: tuple[Path, dict[str, object], list[Path]], tmp_path: Path
) -> None:
    out, figures, _ = site
    index = (out / "index.html").resolve().as_uri()
    dumped = chromium(["--dump-dom", index], tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert not [line for line in dumped.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    dom = Page(dumped.stdout)
    assert dom.metrics["reviews"][1] == str(figures["totals"]["reviews"])  # type: ignore[index]
    assert dom.metrics["followups-overdue"][1] == str(figures["follow_ups"]["overdue"])  # type: ignore[index]
    for width, height in ((1280, 900), (390, 844)):
        shot = tmp_path / f"{width}.png"
        taken = chromium(
            [f"--screenshot={shot}", f"--window-size={width},{height}", "--hide-scrollbars", index],
            tmp_path / "profile",
        )
        assert taken.returncode == 0 and shot.is_file(), taken.stderr[-2000:]
        assert _png_size_and_colours(shot)[:2] == (width, height)
        assert _png_size_and_colours(shot)[2] > 40, f"{shot.name} looks blank"


def test_blank_png_counts_as_blank(tmp_path: Path) -> None:
    # The screenshot check must be able to fail: a one-colour image has few distinct values.
    raw = b"".join(b"\x00" + b"\xff\xff\xff" * 8 for _ in range(8))
    ihdr = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = tmp_path / "blank.png"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    assert _png_size_and_colours(png) == (8, 8, 2)


def test_a_second_run_replaces_the_report_but_never_a_folder_of_other_files(
    cli: Cli, mini: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    previous = os.umask(0o022)
    try:
        assert cli("report", "--html", str(out)).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # as mkdir makes it, not a temp folder's 0700
    (out / "stale.html").write_text("old", encoding="utf-8")
    again = cli("report", "--html", str(out))
    assert again.exit_code == 0, again.output
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    precious = tmp_path / "notes"
    write(precious / "mine.txt", "keep me")
    refused = cli("report", "--html", str(precious))
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        f"micromoment: {display_path(precious)}: not empty and not an earlier micromoment report; "
        "give a new or empty folder (--html DIR)"
    ]
    assert (precious / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp left behind
    since = cli("report", "--html", str(tmp_path / "x"), "--since", "last week")
    assert (since.exit_code, since.output.strip()) == (
        2,
        "micromoment: --since 'last week': give a day of the calendar as YYYY-MM-DD",
    )
    missing = cli("report", "--html", str(tmp_path / "y"), "--repo", str(tmp_path / "nope"))
    assert (missing.exit_code, missing.output.strip()) == (
        2,
        f"micromoment: --repo {display_path(tmp_path / 'nope')}: no such folder; give a repository's folder",
    )
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_since_narrows_the_period_like_stats(cli: Cli, mini: Path, tmp_path: Path) -> None:
    from test_accountability import generate

    generate(mini, [2, 1, 3])
    data = json.loads(cli("stats", "--json", "--since", "2026-10-12").stdout)
    assert data["totals"]["reviews"] == 4  # the first week's two are before the period
    assert data["follow_ups"] == {"opened": 4, "resolved": 0, "open": 4, "overdue": 0}
    assert [(p["period"], p["reviews"]) for p in data["periods"]] == [("2026-W42", 1), ("2026-W43", 3)]
    assert cli("report", "--html", str(tmp_path / "r"), "--since", "2026-10-12").exit_code == 0
    page = Page((tmp_path / "r/index.html").read_text(encoding="utf-8"))
    assert page.metrics["reviews"] == ("4", "4")
    assert page.metrics["followups-open"] == ("4", "4")
    weeks = (tmp_path / "r/index.html").read_text(encoding="utf-8").count('<th scope="row">2026-W')
    assert weeks == 2


def test_review_pages_are_capped_but_overdue_ones_always_have_a_page(
    site: tuple[Path, dict[str, object], list[Path]], cli: Cli, tmp_path: Path
) -> None:
    _, _, repos = site
    done = cli("report", "--html", str(tmp_path / "r"), *repo_args(repos), "--review-pages", "0")
    assert done.exit_code == 0, done.output
    pages = sorted(p.parent.name for p in (tmp_path / "r/reviews").rglob("*.html"))
    assert pages == ["alpha"]  # only the review with the overdue follow-up
    assert "1 of 4 reviews with a page" in done.output


def test_weeks_include_the_empty_ones() -> None:
    import datetime as dt

    weeks = weeks_between([dt.date(2026, 1, 1), dt.date(2026, 1, 20)])
    assert [label for label, _ in weeks] == ["2026-W01", "2026-W02", "2026-W03", "2026-W04"]
    assert weeks[0][1] == dt.date(2025, 12, 29)  # the Monday of ISO week 1
    assert weeks_between([]) == []


def test_chart_scales_are_round_and_bars_are_proportional() -> None:
    assert [nice_ceiling(n) for n in (0, 1, 2, 3, 6, 10, 11, 99, 101, 2001)] == [
        1,
        1,
        2,
        5,
        10,
        10,
        20,
        100,
        200,
        5000,
    ]
    svg = str(stacked_bars(["W1", "W2"], [("a", [2, 0]), ("b", [2, 1])], "t <x>", "c"))
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"><title>', svg)]
    assert heights == [78.4, 78.4, 39.2]  # 2, 2 and 1 on an axis up to 5, over 196 px
    assert "t &lt;x&gt;" in svg and "<x>" not in svg
    bars = str(horizontal_bars([("Pat <b>", 4), ("Sam", 2)], "people", "p"))
    widths = [float(w) for w in re.findall(r'class="bar" x="200" y="[\d.]+" width="([\d.]+)"', bars)]
    assert widths == [371.2, 185.6] and "Pat &lt;b&gt;" in bars


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_contrast_is_at_least_4_5_to_1_in_light_and_dark() -> None:
    from micromoment.locations import shipped_dir

    css = (shipped_dir("templates") / "report/report.css").read_text(encoding="utf-8")
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    for scheme in (light, dark.split("}")[0]):
        colours = dict(re.findall(r"--([a-z0-9]+): (#[0-9a-f]{6})", scheme))
        for text in ("fg", "muted", "link", "alert"):
            for background in ("bg", "panel"):
                ratio = contrast(colours[text], colours[background])
                assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}"
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the check can fail: grey 77 on white does


def test_many_repositories_are_read_on_every_core_with_the_same_result(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from micromoment.ledger import loading, sources
    from test_accountability import generate

    repos = []
    for name, weeks in (("one", [2, 1]), ("two", [3])):
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        generate(repo, weeks)
        repos.append(repo)
    serial = [(s.name, len(s.summaries)) for s in sources.load_sources(repos)]
    # 8 records in all now count as many, while each repository (4) stays below the mark
    monkeypatch.setattr(loading, "PARALLEL_FROM", 5)
    for repo in repos:
        (repo / ".git/micromoment/ledger.sqlite3").unlink()
    parallel = sources.load_sources(repos)
    assert [(s.name, len(s.summaries)) for s in parallel] == serial == [("one", 4), ("two", 4)]
    assert {s.repository for s in parallel[1].summaries} == {"two"}
    write(repos[1] / ".micromoment/reviews/2026-01-01-broken.yaml", "kind: review\nid: [\n")
    broken = cli("report", "--html", str(tmp_path / "r"), *repo_args(repos))
    assert broken.exit_code == 2 and "2026-01-01-broken.yaml:" in broken.output
    assert "Traceback" not in broken.output and not (tmp_path / "r").exists()


def test_every_page_has_one_h1_and_headings_in_order(
    site: tuple[Path, dict[str, object], list[Path]],
) -> None:
    out, _, _ = site
    for path in out.rglob("*.html"):
        page = Page(path.read_text(encoding="utf-8"))
        levels = [int(tag[1]) for tag in page.tags if re.fullmatch(r"h[1-6]", tag)]
        assert levels[0] == 1 and levels.count(1) == 1, path.name
        assert all(b - a <= 1 for a, b in pairwise(levels)), f"{path.name}: {levels}"
        assert "main" in page.tags and "main" in page.ids and "nav" in page.tags


def test_a_team_overrides_a_report_page_and_the_stylesheet_by_name(
    cli: Cli, mini: Path, tmp_path: Path
) -> None:
    from test_accountability import generate

    generate(mini, [1])
    own = mini / ".micromoment/templates/report"
    write(
        own / "reviews.html.j2",
        "<h1>Our reviews ({{ total }})</h1>{% for r in rows %}<p>{{ r.subject }}|{{ title }}</p>{% endfor %}\n",
    )
    write(own / "report.css", "body { color: teal; }\n")
    done = cli("report", "--html", str(tmp_path / "r"), "--title", "<b>Team</b>")
    assert done.exit_code == 0, done.output
    page = (tmp_path / "r/reviews.html").read_text(encoding="utf-8")
    assert page.startswith("<h1>Our reviews (1)</h1><p>")
    assert "|&lt;b&gt;Team&lt;/b&gt;</p>" in page  # still autoescaped: record text is never markup
    assert (tmp_path / "r/report.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    assert "<h1>" in (tmp_path / "r/index.html").read_text(encoding="utf-8")  # the rest: built-ins


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ ''.__class__.__mro__ }}\n", ":1: the template tried something the sandbox forbids"),
        ("{% for i in range(10**12) %}x{% endfor %}\n", ":1: the template went over its range limit"),
        ("line one\n{% for %}\n", ":2: template error: "),
        ("{{ no_such_name }}\n", ":1: template error: 'no_such_name' is undefined"),
    ],
    ids=["escape", "endless", "syntax", "undefined"],
)
def test_a_team_report_template_that_breaks_is_named_and_the_old_report_kept(
    cli: Cli, mini: Path, tmp_path: Path, template: str, says: str
) -> None:
    from test_accountability import generate

    generate(mini, [1])
    out = tmp_path / "r"
    assert cli("report", "--html", str(out)).exit_code == 0
    before = (out / "index.html").read_text(encoding="utf-8")
    write(mini / ".micromoment/templates/report/index.html.j2", template)
    done = cli("report", "--html", str(out))
    assert done.exit_code == 2
    [line] = done.output.strip().splitlines()
    assert line.startswith(".micromoment/templates/report/index.html.j2" + says), line
    assert (out / "index.html").read_text(encoding="utf-8") == before


def test_the_frameworks_section_equals_stats_json(site: tuple[Path, dict[str, object], list[Path]]) -> None:
    out, figures, _ = site
    html = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(
        r'<tr data-framework="([^"]+)" data-id="([^"]+)"><td>[^<]*</td><td>[^<]*</td>'
        r'<td class="num">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>',
        html,
    )
    never = re.findall(r'<span data-never="([^"]+)" title="[^"]*">([^<]+)</span>', html)
    sections = figures["frameworks"]  # type: ignore[index]
    assert rows == [
        (f["framework"], r["id"], str(r["answers"]), r["last"], ", ".join(r["people"]))
        for f in sections
        for r in f["looked_at"]
    ]
    assert never == [(f["framework"], r["id"]) for f in sections for r in f["never"]]
    looked = {
        (f["framework"], r["id"]): (r["answers"], r["people"]) for f in sections for r in f["looked_at"]
    }
    # mini's items: data-kind (LLM02), data-masked (Data Privacy), facts-checked (LLM09, skipped
    # once), reviewer (MEASURE 1.3), over the four reviews.
    assert looked == {
        ("nist-ai-600-1", "Data Privacy"): (1, ["Pat Product"]),
        ("nist-ai-rmf", "MEASURE 1.3"): (1, ["Pat Product"]),
        ("owasp-llm", "LLM02"): (4, ["Pat Product"]),
        ("owasp-llm", "LLM09"): (3, ["Pat Product"]),
    }
    owasp = next(f for f in sections if f["framework"] == "owasp-llm")
    assert [r["id"] for r in owasp["never"]] == [
        "LLM01",
        "LLM03",
        "LLM04",
        "LLM05",
        "LLM06",
        "LLM07",
        "LLM08",
        "LLM10",
    ]
