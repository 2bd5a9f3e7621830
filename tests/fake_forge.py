"""A stand-in for the gh and glab command-line tools: records its arguments, keeps a small state.

The tests put `gh` and `glab` wrappers on PATH that run this with the tool's name first;
the state lives in $FAKE_FORGE_STATE (JSON). `login` is the account the token belongs to;
with `user_forbidden` set, asking who that is fails as an app token's would (HTTP 403), and
what gets posted is written by `app_login` (the CI bot) instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

STATE = Path(os.environ["FAKE_FORGE_STATE"])


def load() -> dict:
    return json.loads(STATE.read_text(encoding="utf-8"))


def save(state: dict) -> None:
    STATE.write_text(json.dumps(state), encoding="utf-8")


def fail(message: str, code: int = 1) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(code)


def field_file(args: list[str], name: str) -> str:
    value = args[args.index("-F") + 1]
    assert value.startswith(f"{name}=@"), value
    return Path(value.split("@", 1)[1]).read_text(encoding="utf-8")


def paginate(items: list) -> None:
    # Real paginated output is one JSON array per page, back to back.
    for start in range(0, max(len(items), 1), 2):
        sys.stdout.write(json.dumps(items[start : start + 2]))


def main() -> None:
    tool, args = sys.argv[1], sys.argv[2:]
    state = load()
    state.setdefault("calls", []).append([tool, *args])
    save(state)
    if state.get("logged_out"):
        fail(f"To get started with {tool}, please run:  {tool} auth login", 4)
    writes = any(a in args for a in ("PATCH", "PUT", "POST", "comment", "edit"))
    if writes and state.get("read_only"):
        fail("HTTP 403: Resource not accessible by integration (https://api.github.com/...)")
    if tool == "gh":
        gh(args, state)
    else:
        glab(args, state)
    save(state)


def poster(state: dict) -> str:
    return state["app_login"] if state.get("user_forbidden") else state["login"]


def gh(args: list[str], state: dict) -> None:
    if args[:2] == ["api", "user"]:
        if state.get("user_forbidden"):
            fail("gh: Resource not accessible by integration (HTTP 403)")
        assert args[2:] == ["--jq", ".login"], args
        print(state["login"])
    elif args[:2] == ["pr", "view"]:
        if state.get("no_pr"):
            fail('no pull requests found for branch "feature"')
        if "body" in args:
            print(json.dumps({"body": state.get("body", "")}))
        else:
            print(json.dumps({"number": state["pr"]}))
    elif args[:2] == ["pr", "edit"]:
        state["body"] = Path(args[args.index("--body-file") + 1]).read_text(encoding="utf-8")
    elif args[:2] == ["pr", "comment"]:
        body = Path(args[args.index("--body-file") + 1]).read_text(encoding="utf-8")
        state["comments"].append({"id": state["next_id"], "body": body, "user": {"login": poster(state)}})
        state["next_id"] += 1
    elif args[0] == "api" and args[1].startswith("repos/{owner}/{repo}/pulls/"):
        assert args[1] == f"repos/{{owner}}/{{repo}}/pulls/{state['pr']}" and args[2:] == [
            "--jq",
            ".head.sha",
        ], args
        print(state["head_sha"])
    elif args[0] == "api" and "PATCH" in args:
        comment_id = int(args[3].rsplit("/", 1)[1])
        for comment in state["comments"]:
            if comment["id"] == comment_id:
                comment["body"] = field_file(args, "body")
    elif args[0] == "api":
        assert args[1] == f"repos/{{owner}}/{{repo}}/issues/{state['pr']}/comments", args
        paginate(state["comments"])
    else:
        fail(f"fake gh: unexpected {args}")


def glab(args: list[str], state: dict) -> None:
    if args[:2] == ["api", "user"]:
        if state.get("user_forbidden"):
            fail("ERROR: 403 Forbidden")
        print(json.dumps({"id": 1, "username": state["login"]}))
    elif args[:2] == ["mr", "view"]:
        if state.get("no_pr"):
            fail('no open merge request available for "feature"')
        print(json.dumps({"iid": state["pr"], "description": state.get("body", "")}))
    elif (
        args[0] == "api" and args[1:3] == ["-X", "PUT"] and args[3].endswith(f"merge_requests/{state['pr']}")
    ):
        state["body"] = field_file(args, "description")
    elif args[0] == "api" and args[1:3] == ["-X", "PUT"]:
        note_id = int(args[3].rsplit("/", 1)[1])
        for note in state["comments"]:
            if note["id"] == note_id:
                note["body"] = field_file(args, "body")
    elif args[0] == "api" and args[1:3] == ["-X", "POST"]:
        state["comments"].append(
            {"id": state["next_id"], "body": field_file(args, "body"), "author": {"username": poster(state)}}
        )
        state["next_id"] += 1
    elif args[0] == "api":
        paginate(state["comments"])
    else:
        fail(f"fake glab: unexpected {args}")


if __name__ == "__main__":
    main()
