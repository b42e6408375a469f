"""Where a month's export comes from, and the archive that keeps it as received."""
