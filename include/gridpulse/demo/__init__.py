"""A realistic demo month, written the way a platform exports it (python -m gridpulse.demo)."""
from gridpulse.demo.generator import generate

__all__ = ["generate"]
