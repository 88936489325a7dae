from django.views.generic import DetailView, ListView

from scenes.models import Flashback, Letter, Scene


class SceneListView(ListView):
    model = Scene


class SceneDetailView(DetailView):
    model = Scene


class LetterListView(ListView):
    model = Letter


class LetterDetailView(DetailView):
    model = Letter


class FlashbackListView(ListView):
    model = Flashback


class FlashbackDetailView(DetailView):
    model = Flashback
