from django.views.generic import DetailView, ListView

from characters.models import Character


class CharacterListView(ListView):
    model = Character


class CharacterDetailView(DetailView):
    model = Character
