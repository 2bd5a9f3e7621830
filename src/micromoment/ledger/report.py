"""What the leaders' report shows, as plain data: the overview, a page per checklist, and which reviews get a page.

Every figure comes from the ledger's summaries and the queries of `stats`, so the report and
`micromoment stats --json` agree for the same repositories and period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from micromoment.ledger.charts import horizontal_bars, stacked_bars
from micromoment.ledger.counting import frameworks_of, period_of, stats_of
from micromoment.ledger.frameworks import references_of
from micromoment.ledger.loading import count_many
from micromoment.ledger.model import Summary, newest_first, open_follow_ups
from micromoment.ledger.sources import Source

LIST_LIMIT = 200  # rows of a list on one page; the export has them all


@dataclass
class Scope:
    """The repositories and period a report covers, and the language its review pages are read in."""

    sources: list[Source]
    since: dt.date | None
    today: dt.date
    lang: str | None = None

    @property
    def everything(self) -> list[Summary]:
        return [s for source in self.sources for s in source.summaries]

    @property
    def chosen(self) -> list[Summary]:
        return [s for s in self.everything if not self.since or s.day >= self.since]


def review_href(repository: str, path: str) -> str:
    """Where a review's page is, from the report's top folder."""
    return f"reviews/{repository}/{Path(path).stem}.html"


def pick_review_pages(scope: Scope, limit: int) -> list[Summary]:
    """The newest `limit` reviews of the period, plus every review an overdue follow-up links to."""
    reviews = [s for s in newest_first(scope.chosen) if s.kind == "review"]
    picked = {id(s): s for s in reviews[:limit]}
    for s in reviews[limit:]:
        if any(f.overdue(scope.today) for f in s.follow_ups):
            picked[id(s)] = s
    return newest_first(list(picked.values()))


def weeks_between(days: list[dt.date]) -> list[tuple[str, dt.date]]:
    """Every ISO week from the first day's to the last day's, empty weeks included (a gap is news)."""
    if not days:
        return []
    start = period_of(min(days), "week")[1]
    end = period_of(max(days), "week")[1]
    return [period_of(start + dt.timedelta(weeks=n), "week") for n in range((end - start).days // 7 + 1)]


def weekly(summaries: list[Summary], title: str) -> dict[str, Any]:
    """Reviews per week split by checklist, and skips, as a chart and as table rows."""
    weeks = weeks_between([s.day for s in summaries])
    index = {label: i for i, (label, _) in enumerate(weeks)}
    checklists = sorted({s.checklist for s in summaries if s.kind == "review"})
    counts: dict[str, list[int]] = {c: [0] * len(weeks) for c in checklists}
    skips = [0] * len(weeks)
    for s in summaries:
        i = index[period_of(s.day, "week")[0]]
        if s.kind == "review":
            counts[s.checklist][i] += 1
        else:
            skips[i] += 1
    series = [*((c, counts[c]) for c in checklists), ("skips", skips)]
    rows = [
        {
            "week": label,
            "start": start.isoformat(),
            "cells": [counts[c][i] for c in checklists],
            "reviews": sum(counts[c][i] for c in checklists),
            "skips": skips[i],
        }
        for i, (label, start) in enumerate(weeks)
    ]
    chart = stacked_bars([label for label, _ in weeks], series, title, "weekly") if weeks else None
    return {"checklists": checklists, "rows": rows, "chart": chart, "series": [name for name, _ in series]}


def follow_ups_by_owner(summaries: list[Summary], today: dt.date) -> list[dict[str, Any]]:
    owners: dict[str, Counter[str]] = defaultdict(Counter)
    for f in (f for s in summaries for f in s.follow_ups):
        owners[f.owner].update(opened=1, resolved=f.resolved, open=not f.resolved, overdue=f.overdue(today))
    rows = [
        {"owner": owner, **{k: c[k] for k in ("opened", "resolved", "open", "overdue")}}
        for owner, c in owners.items()
    ]
    return sorted(rows, key=lambda r: (-r["overdue"], -r["open"], r["owner"]))


def repositories(scope: Scope) -> list[dict[str, Any]]:
    """Per repository: its last review ever (a stale date is the point), and its work in the period."""
    rows = []
    for source in scope.sources:
        reviews = [s.when for s in source.summaries if s.kind == "review"]
        chosen = [s for s in source.summaries if not scope.since or s.day >= scope.since]
        rows.append(
            {
                "name": source.name,
                "last_review": max(reviews)[:10] if reviews else None,
                "reviews": sum(1 for s in chosen if s.kind == "review"),
                "skips": sum(1 for s in chosen if s.kind == "skip"),
                "open_follow_ups": sum(1 for s in chosen for f in s.follow_ups if not f.resolved),
            }
        )
    return sorted(rows, key=lambda r: (r["last_review"] or "", r["name"]))


def titles(summaries: list[Summary]) -> dict[str, str]:
    """Each checklist's title as its newest record gives it."""
    return {s.checklist: s.title for s in reversed(newest_first(summaries))}  # the newest written last


def overview(scope: Scope, paged: set[str]) -> dict[str, Any]:
    """Everything index.html shows; `paged` holds the hrefs of reviews that have a page."""
    chosen = scope.chosen
    # Each checklist once: every repository's catalog shares the built-ins.
    checklists = {id(e.checklist): e.checklist for source in scope.sources for e in source.catalog}
    references = references_of([checklist.model_dump(mode="json") for checklist in checklists.values()])
    # Counted by the queries `stats` runs, over the ledgers load_sources brought up to date.
    tallies = count_many([source.place for source in scope.sources], scope.since, scope.today)
    figures = stats_of(tallies, scope.since, "week", [source.name for source in scope.sources])
    figures["frameworks"] = frameworks_of(tallies, references)
    overdue = [r for r in open_follow_ups(chosen, None, scope.today) if r["overdue"]]
    for row in overdue:
        href = review_href(row["repository"], row["path"])
        row["href"] = href if href in paged else None
    skips = [s for s in newest_first(chosen) if s.kind == "skip"]
    people = figures["people"]
    return {
        "stats": figures,
        "weekly": weekly(chosen, "Reviews and skips per week, by checklist"),
        "people_chart": horizontal_bars(
            [(p["name"], p["reviews"]) for p in people[:20]], "Reviews per person", "people"
        )
        if people
        else None,
        "owners": follow_ups_by_owner(chosen, scope.today),
        "overdue": overdue[:LIST_LIMIT],
        "overdue_more": max(0, len(overdue) - LIST_LIMIT),
        "skips": [_skip_row(s) for s in skips[:LIST_LIMIT]],
        "skips_more": max(0, len(skips) - LIST_LIMIT),
        "skip_reasons_by_checklist": Counter(s.checklist for s in skips).most_common(),
        "repositories": repositories(scope),
        "titles": titles(scope.everything),
    }


def _skip_row(s: Summary) -> dict[str, Any]:
    return {
        "when": s.when[:10],
        "repository": s.repository,
        "checklist": s.checklist,
        "who": s.who,
        "reason": s.reason,
    }


def checklist_page(scope: Scope, checklist_id: str, paged: dict[str, Summary]) -> dict[str, Any]:
    """One checklist over the period: its weeks, how each item was answered, its skips, its reviews."""
    mine = [s for s in scope.chosen if s.checklist == checklist_id]
    items: dict[str, dict[str, Any]] = {}
    for s in mine:
        for item, question, answer in s.answers:
            if item not in items:
                counts = dict.fromkeys(("yes", "no", "na", "skip", "other", "follow_ups"), 0)
                items[item] = {"item": item, "question": question, **counts}
            items[item][answer if answer in ("yes", "no", "na", "skip") else "other"] += 1
        for f in s.follow_ups:
            items[f.item]["follow_ups"] += 1
    reviews = [s for s in newest_first(mine) if s.kind == "review"]
    with_pages = [s for s in reviews if review_href(s.repository, s.path) in paged]
    skips = [s for s in newest_first(mine) if s.kind == "skip"]
    return {
        "id": checklist_id,
        "title": titles(mine).get(checklist_id, checklist_id),
        "reviews": len(reviews),
        "skip_count": len(skips),
        "weekly": weekly(mine, f"Reviews and skips of {checklist_id} per week"),
        "items": sorted(items.values(), key=lambda r: (-r["no"] - r["skip"], r["item"])),
        "skips": [_skip_row(s) for s in skips[:LIST_LIMIT]],
        "skips_more": max(0, len(skips) - LIST_LIMIT),
        "listed": [log_row(s) for s in with_pages[:LIST_LIMIT]],
        "unlisted": len(reviews) - min(len(with_pages), LIST_LIMIT),
    }


def log_row(s: Summary) -> dict[str, Any]:
    counts = s.counts()
    return {
        "href": review_href(s.repository, s.path),
        "when": s.when[:10],
        "repository": s.repository,
        "checklist": s.checklist,
        "subject": s.subject,
        "who": s.who,
        "status": s.status,
        "no": counts["no"],
        "skipped": counts["skip"],
        "signoffs": ", ".join(f"{who} ({decision})" for who, decision in s.signoffs),
    }
