"""The garbage collector in a long-running process."""

from __future__ import annotations

import gc


def freeze_start_up() -> None:
    """Call once started (modules imported, the schema and the setup loaded): what exists then
    lives as long as the process, and the garbage collector's full collections stop walking it
    again (measured: 160 M fewer instructions in a simulation's first week of 10
    municipalities, about 0.1 s; more with a larger setup). What start-up left as garbage is
    collected first, so nothing of it is kept. The price: an object made at start-up that later
    becomes garbage in a reference cycle (a setup replaced by a new load, say) is not
    collected; at most what start-up made, once."""
    gc.collect()
    gc.freeze()
