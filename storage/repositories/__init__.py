"""Keyword-only functions over the models; handlers, the CLI and the console share them."""
