"""How big a file or row micromoment reads may be: one place for the limits its readers apply.

Standard library only, and no imports at all: the commit hook's fast path reads one of them."""

MIB = 1024 * 1024

# Any YAML file micromoment reads (checklist, config, record, answers file), and so any record
# the gate judges: far above anything micromoment writes, small enough to refuse cheaply.
MAX_YAML_BYTES = 4 * MIB
# Files that are text a person wrote beside the YAML: a team template, the report's stylesheet,
# a git hook script (read to see whether it is ours).
MAX_TEMPLATE_BYTES = MIB
MAX_STYLESHEET_BYTES = MIB
MAX_HOOK_SCRIPT_BYTES = MIB
# One row of model outputs: bigger is not an output; refuse rather than fill memory.
MAX_OUTPUT_ROW_BYTES = 16 * MIB
# A promptfoo results document is one JSON value, read whole (about four times its size in
# memory); a log of any size is streamed instead.
MAX_WHOLE_DOCUMENT_BYTES = 128 * MIB

# Shapes that keep hostile YAML (alias bombs, deep nesting) cheap to refuse.
MAX_DEPTH = 64
MAX_VALUES = 200_000
# Numbers in micromoment's files are minutes, counts and versions (and in an outputs file,
# scores): 64 bits is plenty, and a bound on the text keeps a 5,000-digit literal from
# costing quadratic time to convert.
MAX_INT = 2**63 - 1
MAX_NUMBER_TEXT = 64


def size_text(limit: int) -> str:
    """A limit as messages say it: `4 MiB`, or in bytes when under one MiB."""
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit} bytes"
