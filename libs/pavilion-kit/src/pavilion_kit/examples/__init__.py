"""Examples of the kit at work, each runnable with `python -m`."""
