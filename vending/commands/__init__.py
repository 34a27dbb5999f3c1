"""One module per subcommand; `vending.main` only parses and dispatches."""
