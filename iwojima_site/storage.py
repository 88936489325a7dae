"""Static files storage: hashed and compressed once `collectstatic` has run, plain names until then."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class SiteStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Like WhiteNoise's manifest storage, except that before anything is collected (no manifest at all) it gives
    the files' plain names, which WhiteNoise serves from the sources: a site started with debug off and nothing
    collected still renders every page, the 404 and 500 pages included. Once collected, a name missing from the
    manifest is an error, as usual.

    A file's address is worked out once per storage: it depends only on the manifest, read when the storage is
    made, and every page asks for the same few (the stylesheet, the icon, its scripts; about 15 µs each)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls = {}

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)

    def url(self, name, force=False):
        key = (name, force, settings.DEBUG)  # debug gives the plain name
        url = self._urls.get(key)
        if url is None:
            url = self._urls[key] = super().url(name, force)
        return url

    def post_process(self, *args, **kwargs):
        # collectstatic makes a new manifest: forget the addresses from the old one.
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
