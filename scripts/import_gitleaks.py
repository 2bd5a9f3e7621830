"""Bring gitleaks' default rules into the guard's rule file, and refresh them when gitleaks changes.

    python scripts/import_gitleaks.py v8.30.1                # download config/gitleaks.toml at that tag
    python scripts/import_gitleaks.py v8.30.1 --toml FILE    # or read a copy of it
    python scripts/import_gitleaks.py v8.30.1 --toml FILE --check   # exit 1 if rules.yaml is out of date

The imported rules sit between two marker lines in src/micromoment/capture/guard/rules.yaml,
after the hand-written provider rules (which win overlaps) and before the generic and
personal-data rules; everything outside the markers is left as it is. The section records
the source, the tag and gitleaks' MIT licence notice, and lists every rule it skipped and why.

A gitleaks rule is skipped when a hand-written rule names it in its `source` (ours has a
validity check or covers more forms), when it needs a file path, an allowlist or a
multi-part match the guard does not have, when it finds an identifier rather than a secret,
or when its Go regular expression does not translate into a Python one that runs in time
proportional to the text (every repetition bounded, none nested in another).
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

try:  # the parser Python's own re module uses: it reads a pattern the way re runs it
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_parse

ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = ROOT / "src/micromoment/capture/guard/rules.yaml"
RAW_URL = "https://raw.githubusercontent.com/gitleaks/gitleaks/{tag}/config/gitleaks.toml"
PAGE_URL = "https://github.com/gitleaks/gitleaks/blob/{tag}/config/gitleaks.toml"
BEGIN = "  # >>> imported from gitleaks by scripts/import_gitleaks.py: do not edit by hand"
END = "  # <<< end of the rules imported from gitleaks"
LICENCE = """\
MIT License

Copyright (c) 2019 Zachary Rice

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""

# An unbounded repetition (+, *, {n,}) becomes one bounded at this many characters.
LONGEST = 1000
# gitleaks widens every match leftwards over the name a value is assigned to; the guard
# needs no such prefix, and without it a rule starts where its keyword is.
LEFT_WIDENING = r"[\w.-]{0,50}?"
# gitleaks ends a token at a quote, a space, `;` or the end of a line; people writing prose
# also end it with a full stop, a comma or a bracket, and a look-ahead leaves those unclaimed.
# A stop only counts at the end of a sentence, so that `pat123.abc` is not cut at its dot.
TOKEN_ENDS = {
    r"""(?:[\x60'"\s;]|\\[nr]|$)""": r"""(?=[\x60'"\s;)\]}>]|[.,:!?](?:\s|$)|\\[nr]|$)""",
    r"""(?:[\x60'"\s;]|\\[nr]|$|\b)""": r"""(?=[\x60'"\s;)\]}>]|[.,:!?](?:\s|$)|\\[nr]|$|\b)""",
}
# `\b` and then a fixed prefix: the prefix first and the boundary checked behind it, so the
# regular expression engine can jump from one occurrence of the prefix to the next.
BOUNDARY_THEN_PREFIX = re.compile(r"\\b(\(?)([A-Za-z0-9_](?:[A-Za-z0-9_-]|\\[.-])*)(?![?*+{])")
# A character class repeated at the start: checked for not following one of its own
# characters, so a long run is tried once, where it starts, not at every one of its positions.
LEADING_CLASS = re.compile(r"(?:\\b)?(\(?)(\[[^\]\\]*\])(?=\{)")
# A provider's prefix with underscores (`pnu_`) is also found written with hyphens (`pnu-`),
# as wikis and chats re-type it; its keywords get the hyphenated spelling too.
LEADING_PREFIX = re.compile(r"(\(?)([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_)(?![?*+{])")
POSIX_CLASSES = {"[:alnum:]": "A-Za-z0-9", "[:alpha:]": "A-Za-z", "[:digit:]": "0-9"}
# Rules that find an identifier or a published key, which tells nobody anything secret.
NOT_SECRET = re.compile(r"-(?:client-id|access-id|api-id|pub-key|public-key|pub-api-key)$")
# Providers whose names take more than the first word of a rule id.
LONG_NAMES = ("aws-amazon-bedrock", "cisco-meraki", "defined-networking", "new-relic", "octopus-deploy")
FAMILY_OF = {"gcp": "google", "aws-amazon-bedrock": "aws"}
DISPLAY = {
    "1password": "1Password", "age": "age", "aws": "AWS", "cisco-meraki": "Cisco Meraki",
    "clickhouse": "ClickHouse", "digitalocean": "DigitalOcean", "droneci": "Drone CI",
    "easypost": "EasyPost", "flyio": "Fly.io", "freshbooks": "FreshBooks", "github": "GitHub",
    "gitlab": "GitLab", "gocardless": "GoCardless", "google": "Google", "hashicorp": "HashiCorp",
    "hubspot": "HubSpot", "jfrog": "JFrog", "jwt": "JSON web token", "launchdarkly": "LaunchDarkly",
    "linkedin": "LinkedIn", "messagebird": "MessageBird", "new-relic": "New Relic", "npm": "npm",
    "nytimes": "New York Times", "octopus-deploy": "Octopus Deploy", "openai": "OpenAI",
    "openshift": "OpenShift", "planetscale": "PlanetScale", "privateai": "Private AI",
    "pypi": "PyPI", "rapidapi": "RapidAPI", "rubygems": "RubyGems", "sendgrid": "SendGrid",
    "settlemint": "SettleMint", "sumologic": "Sumo Logic", "travisci": "Travis CI",
    "defined-networking": "Defined Networking", "aws-amazon-bedrock": "Amazon Bedrock",
}  # fmt: skip
WORDS = {
    "api": "API", "id": "ID", "pat": "personal access token", "oauth": "OAuth", "ca": "CA",
    "cicd": "CI/CD", "ptt": "pipeline trigger token", "rrt": "runner registration token",
    "tf": "Terraform", "url": "URL", "sdk": "SDK", "base64": "in base64", "v2": "(v2)",
    "ad": "AD", "aws": "AWS", "scim": "SCIM", "kubernetes": "Kubernetes", "teams": "Teams",
    "personnal": "personal", "long": "long-lived", "short": "short-lived", "lived": "",
}  # fmt: skip


class Untranslatable(Exception):
    """A gitleaks pattern the guard cannot run as it is meant, or not in linear time."""


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class that opens at `start`."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    if index >= len(pattern):
        raise Untranslatable("unclosed character class")
    return index + 1


def _bounded(pattern: str, index: int) -> tuple[str, int] | None:
    """An unbounded quantifier at `index` as a bounded one, and the index after it."""
    if pattern[index] == "+":
        return f"{{1,{LONGEST}}}", index + 1
    if pattern[index] == "*":
        return f"{{0,{LONGEST}}}", index + 1
    if found := re.match(r"\{(\d+),\}", pattern[index:]):
        return f"{{{found[1]},{LONGEST}}}", index + found.end()
    return None


def _rewrite(pattern: str, secret_group: int) -> str:
    """Go syntax to Python's: scoped flags, bounded repetition, the secret group named `secret`."""
    out: list[str] = []
    closers: list[str] = []  # what to add when the group open at each depth closes
    tail = ""  # what to add at the end, for a flag switched on outside every group
    groups = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
        elif char == "[":
            end = _class_end(pattern, index)
            out.append(pattern[index:end])
            index = end
        elif pattern.startswith("(?i)", index) and index > 0:
            # Go lets a flag switch on for the rest of its group; Python wants it scoped.
            out.append("(?i:")
            if closers:
                closers[-1] += ")"
            else:
                tail += ")"
            index += 4
        elif char == "(":
            named = pattern.startswith("(?P<", index)
            if named or not pattern.startswith("(?", index):
                groups += 1
                repeated = _is_repeated(pattern, index)
                out.append("(?P<secret>" if groups == secret_group and not named and not repeated else "(?:")
                index = pattern.index(">", index) + 1 if named else index + 1
            else:
                out.append("(")
                index += 1
            closers.append("")
        elif char == ")":
            out.append(closers.pop() + ")" if closers else ")")
            index += 1
        elif (bounded := _bounded(pattern, index)) is not None:
            out.append(bounded[0])
            index = bounded[1]
        else:
            out.append(char)
            index += 1
    if closers:
        raise Untranslatable("unbalanced parentheses")
    return "".join(out) + tail


def _is_repeated(pattern: str, start: int) -> bool:
    """The group opening at `start` is followed by a quantifier: no single span to call the secret."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
        if depth == 0:
            return index < len(pattern) and pattern[index] in "+*?{"
    raise Untranslatable("unbalanced parentheses")


def translate(go_pattern: str, secret_group: int = 1) -> str:
    """A gitleaks (Go RE2) pattern as a Python one that runs in linear time, or Untranslatable."""
    pattern = go_pattern.replace(LEFT_WIDENING, "").replace(r"\z", r"\Z")
    for go_end, python_end in TOKEN_ENDS.items():
        pattern = pattern.replace(go_end, python_end)
    for posix, ranges in POSIX_CLASSES.items():
        pattern = pattern.replace(posix, ranges)
    if "[[" in pattern or r"\p" in pattern:
        raise Untranslatable("a character class Python does not know")
    flags = ""
    if pattern.startswith("(?i)"):
        flags, pattern = "(?i)", pattern[4:]
    if (prefixed := BOUNDARY_THEN_PREFIX.match(pattern)) is not None:
        group, prefix = prefixed.groups()  # never the last character before a quantifier
        rest = pattern[2 + len(group) + len(prefix) :]
        prefix = prefix.replace("_", "[_-]")
        pattern = f"{group}{prefix}(?<!\\w{prefix}){rest}"
    elif (led := LEADING_PREFIX.match(pattern)) is not None:
        pattern = led[1] + led[2].replace("_", "[_-]") + pattern[led.end() :]
    elif (led := LEADING_CLASS.match(pattern)) is not None:
        pattern = f"(?<!{led[2]}){led[1]}{led[2]}{pattern[led.end() :]}"
    python = flags + _rewrite(pattern, secret_group)
    try:
        tree = sre_parse.parse(python)
    except re.error as exc:
        raise Untranslatable(f"does not compile in Python ({exc})") from None
    if tree.getwidth()[0] == 0:
        raise Untranslatable("can match nothing at all")
    _check_linear(tree, inside_variable=False)
    return python


def _check_linear(tree: Any, inside_variable: bool) -> None:
    """No variable repetition inside another: the shape that makes backtracking explode."""
    for op, value in tree:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = value
            if high == sre_parse.MAXREPEAT:
                raise Untranslatable("an unbounded repetition")
            variable = low != high
            if variable and inside_variable:
                raise Untranslatable("a variable repetition inside another")
            _check_linear(body, inside_variable or (variable and high > 1) or (high > 1 and _varies(body)))
        elif name == "SUBPATTERN":
            _check_linear(value[-1], inside_variable)
        elif name == "BRANCH":
            for branch in value[1]:
                _check_linear(branch, inside_variable)
        elif name in ("ASSERT", "ASSERT_NOT"):
            _check_linear(value[1], inside_variable)


def _varies(body: Any) -> bool:
    low, high = body.getwidth()
    return bool(low != high)


def family_and_kind(rule_id: str) -> tuple[str, str]:
    """The provider a rule belongs to, and what the person is told was found."""
    provider = next((name for name in LONG_NAMES if rule_id.startswith(name + "-")), rule_id.split("-")[0])
    rest = rule_id.removeprefix(provider).strip("-").split("-") if rule_id != provider else []
    family = FAMILY_OF.get(provider, provider)
    display = DISPLAY.get(provider, provider.capitalize())
    words = [WORDS.get(word, word) for word in rest if word]
    if not words:
        words = ["token"]
    return family, " ".join(part for part in [display, *words] if part)


def _covered_by_hand(hand_written: list[dict[str, Any]]) -> dict[str, str]:
    """gitleaks rule id -> the hand-written rule that names it in its source."""
    covered: dict[str, str] = {}
    for rule in hand_written:
        named = re.search(r"gitleaks ([a-z0-9-]+(?:, [a-z0-9-]+)*)", str(rule.get("source", "")))
        for gitleaks_id in named[1].split(", ") if named else []:
            covered[gitleaks_id] = str(rule["id"])
    return covered


def _skip_reason(rule: dict[str, Any], covered: dict[str, str]) -> str | None:
    rule_id = rule["id"]
    if rule_id in covered:
        return f"the hand-written rule {covered[rule_id]} covers it"
    if "path" in rule or "regex" not in rule:
        return "it is meant for files of one name or type only"
    if rule.get("allowlists"):
        return "it needs an allowlist the guard has no place for"
    if NOT_SECRET.search(rule_id):
        return "it finds an identifier or a published key, not a secret"
    return None


def _keywords(rule: dict[str, Any]) -> list[str]:
    keywords = [keyword.lower() for keyword in rule.get("keywords", [])]
    return keywords + [
        k.replace("_", "-") for k in keywords if "_" in k and k.replace("_", "-") not in keywords
    ]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def imported_section(config: dict[str, Any], tag: str, hand_written: list[dict[str, Any]]) -> str:
    """The lines between the markers: the notice, the rules, the skipped rules and why."""
    covered = _covered_by_hand(hand_written)
    rules: list[str] = []
    skipped: list[str] = []
    for rule in config["rules"]:
        reason = _skip_reason(rule, covered)
        if reason is None:
            try:
                pattern = translate(rule["regex"], rule.get("secretGroup") or 1)
            except Untranslatable as exc:
                reason = f"its pattern has {exc}" if str(exc).startswith("a") else f"its pattern {exc}"
        if reason is not None:
            skipped.append(f"  #   {rule['id']}: {reason}")
            continue
        family, kind = family_and_kind(rule["id"])
        lines = [
            f"  - id: {rule['id']}",
            f"    kind: {kind}",
            f"    family: {family}",
            f"    source: gitleaks {tag} {rule['id']}",
            f"    keywords: [{', '.join(_quoted(k) for k in _keywords(rule))}]",
        ]
        if rule.get("entropy"):
            lines.append(f"    entropy: {rule['entropy']}")
        rules += [*lines, f"    pattern: {_quoted(pattern)}", ""]
    header = [
        BEGIN,
        f"  # Source: {PAGE_URL.format(tag=tag)}",
        f"  # gitleaks {tag}; refresh with: python scripts/import_gitleaks.py TAG",
        "  # Patterns translated from Go to Python (flags scoped, repetitions bounded at",
        f"  # {LONGEST}, the first capture group named `secret`, `_` in a prefix also `-`);",
        "  # used under gitleaks' licence:",
        "  #",
        *(f"  #   {line}".rstrip() for line in LICENCE.splitlines()),
        "  #",
        f"  # Not imported ({len(skipped)}):",
        *skipped,
        "",
    ]
    return "\n".join([*header, *rules, END])


def updated_rules_file(text: str, section: str) -> str:
    before, _, rest = text.partition(BEGIN)
    _, found, after = rest.partition(END)
    if not found:
        raise SystemExit(f"{RULES_FILE}: the marker lines of the imported section are missing")
    return before + section + after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the gitleaks release tag to import, such as v8.30.1")
    parser.add_argument("--toml", type=Path, help="a copy of config/gitleaks.toml at that tag")
    parser.add_argument("--check", action="store_true", help="exit 1 if rules.yaml differs")
    args = parser.parse_args()
    if args.toml is not None:
        raw = args.toml.read_bytes()
    else:
        with urllib.request.urlopen(RAW_URL.format(tag=args.tag), timeout=30) as response:
            raw = response.read()
    import tomllib  # Python 3.11 and later; only the refresh needs it

    config = tomllib.loads(raw.decode("utf-8"))
    text = RULES_FILE.read_text(encoding="utf-8")
    before, _, rest = text.partition(BEGIN)
    hand_written = yaml.safe_load(before + rest.partition(END)[2])["rules"]
    updated = updated_rules_file(text, imported_section(config, args.tag, hand_written))
    if args.check:
        if updated != text:
            print(f"{RULES_FILE} is out of date; run python scripts/import_gitleaks.py {args.tag}")
            return 1
        return 0
    scratch = RULES_FILE.with_suffix(".yaml.new")
    scratch.write_text(updated, encoding="utf-8")
    scratch.replace(RULES_FILE)  # all at once: the guard never reads half a file
    imported = updated.count("    source: gitleaks " + args.tag)
    print(f"imported {imported} rules from gitleaks {args.tag} into {RULES_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
