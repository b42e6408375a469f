"""Named points at which a run can be made to die at once, as a power cut or the kernel's OOM
killer would kill it: SIGKILL, no clean-up, no finally blocks.

The crash-safety test sets GRIDPULSE_DIE_AT=<point> for a run in a subprocess, then runs the
month again and checks that the result is exactly that of an uninterrupted run. Unset (always,
outside that test), a point does nothing.
"""
from __future__ import annotations

import os
import signal

ENV = "GRIDPULSE_DIE_AT"


def reached(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
