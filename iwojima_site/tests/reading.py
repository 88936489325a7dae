"""Helpers for tests that read pages as a person would: titles, links, counts in the filter form."""

import re
from html import unescape
from html.parser import HTMLParser


class PageReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.titles, self.h1s, self._in = [], [], [], None
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag in ("title", "h1"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join("".join(self._text).split())
            (self.titles if tag == "title" else self.h1s).append(text)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def read(response):
    reader = PageReader()
    reader.feed(response.content.decode())
    return reader


def links(response):
    return set(read(response).links)


def title(response):
    return read(response).titles[0]


def option_count(response, name, value):
    """The count the filter form shows beside one choice of one control, or None when it is hidden."""
    html = response.content.decode()
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    if select:
        option = re.search(rf'<option value="{re.escape(value)}"[^>]*>[^<]*\((\d+)\)</option>', select.group(0))
        return int(option.group(1)) if option else None
    box = re.search(
        rf'id="filter-{name}-{re.escape(value)}"[^>]*>\s*<label[^>]*>.*?<span class="count">\((\d+)\)</span>',
        html,
        re.S,
    )
    return int(box.group(1)) if box else None


def result_count(response):
    """The number the list says it holds ("12 scenes")."""
    heading = re.search(r'<h2 id="results-heading"[^>]*>\s*(\d+)', response.content.decode())
    return int(heading.group(1)) if heading else 0


def text(response):
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
