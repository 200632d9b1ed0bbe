"""Help texts that more than one command's parser shows (a light module: no imports, so the
entry point `bot/cli.py` can read it without loading anything heavy)."""

WAIT_HELP = (
    "when another ingest or re-index is writing the index, wait for it to finish "
    "instead of stopping"
)
