"""The console fixtures (logins, two provinces' data, a client) serve these tests too."""
from tests.console.conftest import as_plk, cheap_password_hashing, client, seeded  # noqa: F401
