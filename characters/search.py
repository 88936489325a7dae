"""What the site's search finds of a person: every name they go by, the actor, and their story.

Registered with the site's index (iwojima_site.search) when the app is ready. Names are flagged as names, so a
query naming a person also finds what is tied to them (their scenes, letters, memories: scenes/search.py).
"""

from characters.models import Character, is_spelling
from iwojima_site import search
from iwojima_site.search import Document, Weight


def documents(person):
    """[Document] for one person: names first, then rank and role, then each scene-stamped part of the
    biography and fate note (stamped, so that watch-along mode only has to filter); the plot summary's
    descriptions of them are stamped with the end of their story (Character.source_names_at)."""
    names = [("name", person.name, Weight.NAME), ("full_name", person.full_name, Weight.OTHER_NAME)]
    names += [("aliases", alias, Weight.OTHER_NAME) for alias in person.alias_list]
    names += [("source_names", line, Weight.OTHER_NAME) for line in person.source_name_list if is_spelling(line)]
    names += [("actor", person.actor, Weight.OTHER_NAME)]
    result = [Document(source, text, weight, names=True) for source, text, weight in names if text]
    result += [
        Document("source_names", line, Weight.DESCRIPTION, from_scene=person.story_told_from)
        for line in person.source_name_list
        if not is_spelling(line)
    ]
    result += [Document("rank", person.rank, Weight.DESCRIPTION), Document("role", person.role, Weight.DESCRIPTION)]
    for source in ("biography", "fate_detail"):
        for part in getattr(person, source) or []:
            if isinstance(part, dict):
                result.append(Document(source, str(part.get("text", "")), Weight.STORY, from_scene=part.get("scene")))
    return result


def register():
    weights = [Weight.NAME, Weight.OTHER_NAME, Weight.DESCRIPTION, Weight.STORY]
    search.register(Character, "person", documents, weights)
