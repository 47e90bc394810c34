from tests.console.conftest import *  # noqa: F401,F403  (seeded, client, login, as_plk)
