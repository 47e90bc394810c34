"""The composition root: the one module of bot/ that knows the capabilities in handlers/ and adds each
to the bot, explicitly, by calling its `register()` (the way a python-telegram-bot application is given
its handlers with `add_handler`). Nothing registers itself when imported.

The server (`bot.server.create_app`), the CLI and the tests get their runtime from `build` here, which
registers everything first. Registering fills the registries of bot/ (conversations and intents in
`bot.registry`, broadcast audiences in `bot.audiences`, reminder sources in `bot.reminders` and
`bot.bulk_reminders`) and the list of what erasing a member also erases
(`storage.repositories.members.eraser`); doing it again changes nothing.
"""
from __future__ import annotations

from bot import event_notify, report_notify
from bot import runtime as runtime_module
from bot.clock import Clock
from bot.config import Settings
from bot.runtime import Runtime
from handlers import (
    broadcast,
    certificates,
    directory,
    event_officer,
    event_registrations,
    event_reminders,
    events,
    linking,
    membership,
    menu,
    officer,
    phrasings,
    profile,
    report_officer,
    report_start,
    reports,
    signup,
    smalltalk,
    tickets,
)
from storage.db import Database
from storage.repositories import events as events_repo
from storage.repositories import members as members_repo
from storage.repositories import training as training_repo


def register_all() -> None:
    """Add every capability to the bot. The order is the order fallbacks are asked in (an activity
    report typed straight away before a question for the office) and reminder sources are scanned in."""
    # services of the core that broadcasts and reminder scans reach through the registries
    # what erasing a member's data must also erase: their copies on event registrations and training days
    members_repo.eraser(events_repo.erase_registration_copies)
    members_repo.eraser(training_repo.erase_training_day)
    report_notify.register()  # deadline reminders, the audience "organizations missing a report"
    event_notify.register()  # the audience "registrants of an event", event cards on announcements
    # conversations
    phrasings.register()  # short requests in a member's own words, read by their words (bot.thai.frames)
    directory.register()
    menu.register()
    officer.register()
    profile.register()
    signup.register()
    membership.register()  # who speaks for an organization: the representative's approve/decline
    smalltalk.register()
    linking.register()  # channels: account linking
    broadcast.register()  # announcements, opting out of them
    reports.register()  # activity reports (member's side): the activity form
    report_start.register()  # the ways into a report; a report typed straight away (a fallback)
    report_officer.register()  # deadlines, status, returning a report
    events.register()  # trainings and seminars (member's side): the list, registering
    event_registrations.register()  # a member's registrations: cancel, waitlist offers, feedback
    event_officer.register()  # creating, publishing, attendance
    event_reminders.register()  # event reminders, feedback questions, waitlist offers
    tickets.register()  # questions to the office
    certificates.register()  # the training day: certificates again on request


def build(settings: Settings, *, clock: Clock | None = None, db: Database | None = None) -> Runtime:
    """The runtime (settings, database, engine, clock) with every capability registered."""
    register_all()
    return runtime_module.build(settings, clock=clock, db=db)
