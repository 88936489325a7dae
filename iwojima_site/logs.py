"""The production log's format: one line per event on stderr, for a log collector that reads lines."""

import logging


class OneLineFormatter(logging.Formatter):
    """logging.Formatter whose every event is one line: the traceback of an error (and any line break in a
    message) follows on the same line, each line break written as the two characters \\n."""

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")
