"""Corrections from readers: a short form, linked from every content page, that stores a Suggestion for editors.

No account is needed. A client address may send SUGGESTIONS_PER_HOUR an hour (then 429), counted in the database
so the limit holds across workers and servers. A hidden honeypot field catches bots: filled in, the form answers as
if it had been accepted and stores nothing. The page a suggestion comes from is kept only if it is a path on this
site, so neither the stored page nor the "back to the page" link can ever lead elsewhere. Nothing here is cached.
"""

from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from iwojima_site.clients import client_address
from iwojima_site.horizon import horizon_of, page_at
from iwojima_site.models import Suggestion
from iwojima_site.security import read_only, takes_methods

SUGGESTIONS_PER_HOUR = 5
MAX_PAGE_LENGTH = Suggestion._meta.get_field("page").max_length


def site_path(value):
    """`value` if it is a path on this site ("/scenes/the-letter/?at=12"), else "".

    Refuses absolute and protocol-relative URLs ("https://elsewhere", "//elsewhere", "/\\elsewhere"), anything with
    a control character or a space (browsers drop tabs and newlines, so "/\\t/elsewhere" would become
    "//elsewhere"), and paths no page of the site answers to.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_PAGE_LENGTH:
        return ""
    if not (value.isascii() and value.isprintable()) or " " in value or "\\" in value:
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    try:
        resolve(unquote(urlsplit(value).path))
    except Resolver404:
        return ""
    return value


class SuggestionForm(forms.ModelForm):
    """What a reader fills in. `website` is the honeypot: hidden from people by the stylesheet, filled by bots."""

    page = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        help_text="It is here to catch automated spam.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ["text", "source", "email"]
        labels = {"text": "What is wrong?", "source": "Your source (optional)", "email": "Your email (optional)"}
        help_texts = {
            "text": "Up to 2,000 characters: what the page says, and what it should say.",
            "source": "Where the right answer is: a moment in the film, a paragraph of the plot summary, a book.",
            "email": "Only if you would like an answer. It is never shown on the site.",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 6, "cols": 60})}

    def clean_page(self):
        # A page that is not a path on this site is dropped, not refused: the correction is still worth having.
        return site_path(self.cleaned_data["page"])

    def is_spam(self):
        return bool(self.cleaned_data.get("website"))


def client_key(request):
    """A keyed hash of the client's address: enough to count their suggestions, without storing the address."""
    return salted_hmac("iwojima_site.corrections.client", client_address(request) or "").hexdigest()


def over_the_limit(client):
    since = timezone.now() - timedelta(hours=1)
    return Suggestion.objects.filter(client=client, created__gte=since).count() >= SUGGESTIONS_PER_HOUR


@never_cache
@takes_methods("GET", "HEAD", "POST")
def suggest(request):
    """GET: the form, for the page in `?page=`. POST: store the suggestion and go to the thanks page.

    Answers 400 with the errors for an invalid form, and 429 once this client address has sent
    SUGGESTIONS_PER_HOUR in the last hour.
    """
    page = site_path(request.GET.get("page", ""))
    if request.method != "POST":
        form = SuggestionForm(initial={"page": page})
        return render(request, "corrections/suggest.html", {"form": form, "page": about_page(request)})
    client = client_key(request)
    if over_the_limit(client):
        # What was typed is shown again to keep (it is not stored), up to the form's own limit.
        text = request.POST.get("text", "")[: SuggestionForm.base_fields["text"].max_length]
        context = {"page": page, "per_hour": SUGGESTIONS_PER_HOUR, "text": text}
        response = render(request, "corrections/too_many.html", context, status=429)
        response["Retry-After"] = "3600"
        return response
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        page = site_path(request.POST.get("page", "")) or page
        return render(request, "corrections/suggest.html", {"form": form, "page": page}, status=400)
    page = form.cleaned_data["page"]
    if not form.is_spam():
        suggestion = form.save(commit=False)
        suggestion.page, suggestion.client = page, client
        suggestion.save()
    # Watching along, the thanks page keeps the horizon (iwojima_site.horizon gives it to links, not to redirects).
    horizon = horizon_of(request)
    query = {"page": page} if horizon is None else {"page": page, "at": horizon}
    return HttpResponseRedirect(f"{reverse('suggestion_thanks')}?{urlencode(query)}")


@never_cache
@read_only
def thanks(request):
    """The page after a suggestion was sent, with a link back to the page it came from (always on this site)."""
    return render(request, "corrections/thanks.html", {"page": about_page(request)})


def about_page(request):
    """The page in `?page=` (site_path()), watched along at the request's horizon when there is one: an `at` of the
    request's own wins over the page's, as it does for the banner (iwojima_site.horizon)."""
    page = site_path(request.GET.get("page", ""))
    horizon = horizon_of(request)
    return page_at(page, horizon) if page and horizon is not None else page
