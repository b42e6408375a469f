"""The rollup of a city or province deployment: every district's published month side by side.

Runs after the districts' own months (each published, quarantined or not yet arrived), never
changes a district's files, and is published whole or not at all, as a district's month is."""
