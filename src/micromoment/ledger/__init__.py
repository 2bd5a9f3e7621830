"""The ledger: every record summarised and counted, for log, todo and stats, and the
accountability around records (sign-offs, resolved follow-ups)."""

from micromoment.ledger.model import FollowUpEntry, Summary, summarise
from micromoment.ledger.store import ledger_file
from micromoment.ledger.summaries import (
    PARALLEL_FROM,
    STATS_SCHEMA,
    Period,
    load_summaries,
    log_rows,
    newest_first,
    open_follow_ups,
    period_of,
    sample_totals,
    stats,
)

__all__ = [
    "PARALLEL_FROM",
    "STATS_SCHEMA",
    "FollowUpEntry",
    "Period",
    "Summary",
    "ledger_file",
    "load_summaries",
    "log_rows",
    "newest_first",
    "open_follow_ups",
    "period_of",
    "sample_totals",
    "stats",
    "summarise",
]
