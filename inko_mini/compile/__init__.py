"""AST to Python code: the closure compiler, its fast paths, and the module loader."""
