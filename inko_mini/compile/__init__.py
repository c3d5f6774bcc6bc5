"""AST to Python code: the code generator (codegen/) and the module loader."""
