"""Static files storage: hashed and compressed once `collectstatic` has run, plain names until then."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class SiteStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Like WhiteNoise's manifest storage, except that before anything is collected (no manifest at all) it gives
    the files' plain names, which WhiteNoise serves from the sources: a site started with debug off and nothing
    collected still renders every page, the 404 and 500 pages included. Once collected, a name missing from the
    manifest is an error, as usual."""

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        return super().stored_name(name)
