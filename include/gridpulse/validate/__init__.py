"""Validation of a month's export with Great Expectations, before anything is loaded."""
