"""The ledger: every record summarised and counted, for log, todo and stats, and the
accountability around records (sign-offs, resolved follow-ups)."""
