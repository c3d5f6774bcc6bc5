"""The back end: each Inko method, closure, lambda and body becomes one
Python function (gen.py); cache.py keeps the generated code of each module
on disk; support.py holds what the generated code calls at run time.

gen.py (with the AST and the builtins table) is imported only when a module
has to be generated: a start whose modules are all cached never loads it.
"""
