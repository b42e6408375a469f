"""The warehouse file, below every step: its building copy (start, build, swap in, discard)
and the reading of a month's marts."""
