"""The ledger: every record summarised and counted, for log, todo and stats, and the
accountability around records (sign-offs, resolved follow-ups)."""

from micromoment.ledger.summaries import (
    CACHE_FORMAT,
    PARALLEL_FROM,
    STATS_SCHEMA,
    FollowUpEntry,
    Period,
    Summary,
    load_summaries,
    log_rows,
    newest_first,
    open_follow_ups,
    period_of,
    sample_totals,
    stats,
    summarise,
)

__all__ = [
    "CACHE_FORMAT",
    "PARALLEL_FROM",
    "STATS_SCHEMA",
    "FollowUpEntry",
    "Period",
    "Summary",
    "load_summaries",
    "log_rows",
    "newest_first",
    "open_follow_ups",
    "period_of",
    "sample_totals",
    "stats",
    "summarise",
]
