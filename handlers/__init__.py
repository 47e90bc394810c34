"""One module per conversation. Importing this package registers every flow and intent."""
from handlers import directory, menu, officer, profile, signup  # noqa: F401
