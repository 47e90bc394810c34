"""One module per conversation. Importing this package does nothing: the composition root
(bot/wiring.py) imports each module and calls its `register()`."""
