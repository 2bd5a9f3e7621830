"""The ledger: every record summarised and counted, for log, todo and stats, and the
accountability around records (sign-offs, resolved follow-ups)."""

from micromoment.ledger.model import Summary
from micromoment.ledger.summaries import log_rows, open_follow_ups, sample_totals

__all__ = ["Summary", "log_rows", "open_follow_ups", "sample_totals"]
