"""`make dashboard`: the trends page for leaders, served read-only on loopback from the published
warehouse (see server.py for why a page of server-drawn SVG)."""
