"""The command-line layer: parse arguments, call one core function, print, choose the exit code."""
