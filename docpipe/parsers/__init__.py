"""Parsers: one module per format, a registry that picks one by asking each how well it
fits the file, guards against hostile files, and the sandbox every parse runs in."""
