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


def size_text(limit: int) -> str:
    """A limit as messages say it: `4 MiB`, or in bytes when under one MiB."""
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit} bytes"
