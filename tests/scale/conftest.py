from tests.console.conftest import client  # noqa: F401  (the console test client)
