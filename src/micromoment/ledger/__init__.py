"""The ledger: every record summarised and counted, for log, todo and stats, and the
accountability around records (sign-offs, resolved follow-ups)."""

from micromoment.ledger.summaries import (
    CACHE_BYTES_PER_RECORD_BYTE,
    CACHE_FORMAT,
    CACHE_SLACK_BYTES,
    PARALLEL_FROM,
    STATS_SCHEMA,
    FollowUpEntry,
    Period,
    Summary,
    cache_text,
    load_summaries,
    log_rows,
    newest_first,
    open_follow_ups,
    period_of,
    read_cache,
    stats,
    summarise,
    summary_from_cache,
)

__all__ = [
    "CACHE_BYTES_PER_RECORD_BYTE",
    "CACHE_FORMAT",
    "CACHE_SLACK_BYTES",
    "PARALLEL_FROM",
    "STATS_SCHEMA",
    "FollowUpEntry",
    "Period",
    "Summary",
    "cache_text",
    "load_summaries",
    "log_rows",
    "newest_first",
    "open_follow_ups",
    "period_of",
    "read_cache",
    "stats",
    "summarise",
    "summary_from_cache",
]
