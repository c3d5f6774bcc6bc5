"""Static passes over the AST, run before a module is compiled."""
