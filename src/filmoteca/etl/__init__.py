"""The catalog build: read (I/O only) -> clean (pure steps) -> write (I/O only), run by `pipeline`."""
