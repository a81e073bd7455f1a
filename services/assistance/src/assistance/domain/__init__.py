"""assistance domain: pure Python, no I/O and no frameworks."""
