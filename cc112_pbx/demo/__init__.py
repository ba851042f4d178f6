"""`cc112 demo`: the controller against the built-in Asterisk emulator with simulated callers."""
