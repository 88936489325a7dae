"""The production log's format: one line per event on stderr, for a log collector that reads lines."""

import logging


class OneLineFormatter(logging.Formatter):
    """logging.Formatter whose every event is one line: the traceback of an error (and any line break in a
    message) follows on the same line, each line break written as the two characters \\n."""

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


class AsWarning(logging.Filter):
    """Makes an event a WARNING of one line, its message alone (no traceback): for a logger whose errors are the
    client's, not the site's, such as django.security.DisallowedHost (a request for a host the site does not answer
    to: its 400 is the whole answer, nothing to mail anyone about)."""

    def filter(self, record):
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = record.stack_info = None
        return True
