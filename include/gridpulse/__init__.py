"""Grid Pulse: the monthly assessment pipeline for grid-based community governance."""
