"""The command line: click commands, the fast `run` path, the REPL."""
