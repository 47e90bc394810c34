"""One module per conversation. Importing this package registers every flow and intent."""
from handlers import directory, membership, menu, officer, profile, signup, smalltalk  # noqa: F401
from handlers import linking  # noqa: F401,E402  (channels: account linking)
from handlers import broadcast  # noqa: F401,E402  (delivery: announcements, opt-out)
from handlers import reports  # noqa: F401,E402  (activity reports, deadlines, reminders)
from handlers import events  # noqa: F401,E402  (trainings and seminars)
from handlers import tickets  # noqa: F401,E402  (questions to the office)
from handlers import certificates  # noqa: F401,E402  (the training day: certificates again on request)
