"""Source text to AST: the lexer, the post-lexer for newline rules, the Lark parser, the AST and its cache."""
