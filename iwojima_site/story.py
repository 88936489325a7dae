"""Scene-stamped text: prose written in parts, each part stamped with the scene from which it may be shown.

A person's biography and fate note are lists of parts, `[{"scene": 3, "text": "…"}, …]`, where `scene` is a
scene number (screen order, from 1; stable once the content was signed off) and the parts run in scene
order. Watch-along mode shows the parts up to the viewer's scene; search indexes each part with its stamp.

Editors write the parts in the admin as plain text, one paragraph a part, each starting "Scene N: ".
"""

import re

from django import forms
from django.core.exceptions import ValidationError

PART_PREFIX = re.compile(r"^\s*Scene\s+(\d+)\s*:\s*", re.IGNORECASE)


def validate_story_parts(value):
    """A list of {"scene": int ≥ 1, "text": non-empty str}, in scene order; raises ValidationError."""
    if not isinstance(value, list):
        raise ValidationError("Give a list of parts, each {“scene”: number, “text”: words}.")
    previous = 0
    for index, part in enumerate(value, start=1):
        if not isinstance(part, dict) or set(part) != {"scene", "text"}:
            raise ValidationError("Part %(n)s is not {“scene”: number, “text”: words}.", params={"n": index})
        scene, text = part["scene"], part["text"]
        if not isinstance(scene, int) or isinstance(scene, bool) or scene < 1:
            raise ValidationError("Part %(n)s: the scene must be a scene number, from 1.", params={"n": index})
        if not isinstance(text, str) or not text.strip():
            raise ValidationError("Part %(n)s has no text.", params={"n": index})
        if scene < previous:
            raise ValidationError(
                "Part %(n)s (scene %(scene)s) comes after a part stamped scene %(previous)s: keep them in scene order.",
                params={"n": index, "scene": scene, "previous": previous},
            )
        previous = scene


def parts_as_text(parts):
    """The editor's form of the parts: "Scene 3: …" paragraphs separated by blank lines."""
    return "\n\n".join(f"Scene {part['scene']}: {part['text']}" for part in parts or [])


def parts_from_text(text):
    """Parse the editor's form back into parts; raises ValidationError naming the paragraph at fault."""
    parts = []
    for index, paragraph in enumerate(p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()):
        match = PART_PREFIX.match(paragraph)
        if not match:
            raise ValidationError(
                "Paragraph %(n)s does not start with “Scene N:”, the scene from which it may be shown.",
                params={"n": index + 1},
            )
        parts.append({"scene": int(match[1]), "text": " ".join(paragraph[match.end() :].split())})
    return parts


class StoryPartsField(forms.JSONField):
    """An admin form field for scene-stamped parts, edited as "Scene N: text" paragraphs."""

    widget = forms.Textarea(attrs={"rows": 12, "cols": 100})

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "One paragraph a part, each starting “Scene N:”, the first scene from which it may be shown "
            "(watch-along mode hides it before then). Keep the parts in scene order.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):  # the text as typed, shown again with an error
            return value
        return parts_as_text(value)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        parts = parts_from_text(value)
        validate_story_parts(parts)
        return parts

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or [])
        except ValidationError:
            return True
