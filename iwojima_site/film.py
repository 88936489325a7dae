"""Facts about the film itself, from its published credits: shown in the home page's facts box and the cast list."""

# (label, value) in the order a film's fact box gives them.
FILM_FACTS = [
    ("Directed by", "Clint Eastwood"),
    ("Screenplay by", "Iris Yamashita"),
    ("Story by", "Iris Yamashita and Paul Haggis"),
    ("Released", "December 2006"),
    ("Language", "Mostly Japanese"),
    ("Companion film", "Flags of Our Fathers (2006), the same battle from the American side"),
    ("The battle began", "19 February 1945"),
]
