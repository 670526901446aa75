"""Running a search from a form: shared by the search page, search.json and topic searches."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from practica.search import engine
from practica.search.forms import SearchForm
from practica.search.query import MAX_QUERY_CHARS, parse


@dataclass
class Outcome:
    form: SearchForm
    results: engine.Results | None
    message: str  # why there are no results to show, when there are none
    words: list[str]
    notice: str = ""  # something about the query itself, shown with the results


def readable_communities(user):
    from practica.communities.capabilities import readable_communities_q
    from practica.communities.models import Community

    return Community.objects.filter(readable_communities_q(user)).order_by("name")


def run_search(user, data, *, page=1, page_size: int = engine.PAGE_SIZE) -> Outcome:
    """Validate `data` (a QueryDict) and search what `user` may read.

    Never raises on what a member typed: bad filters come back as form errors and a query
    with nothing to look for comes back with a message.
    """
    from practica.people.models import User

    communities = list(readable_communities(user))
    form = SearchForm(data, communities=communities, topics=topic_choices(communities))
    if not form.is_valid():
        return Outcome(form, None, "Check the search form: some filters need fixing.", [])
    notice = (
        f"Your search was longer than {MAX_QUERY_CHARS} characters: it was cut to its first words."
        if form.was_cut
        else ""
    )
    data = form.cleaned_data
    parsed = parse(
        data["q"],
        all_words=data["all_words"],
        exact_phrase=data["exact_phrase"],
        any_words=data["any_words"],
        none_words=data["none_words"],
    )
    filters = engine.Filters(
        kinds=[data["type"]] if data["type"] else [],
        community_id=next((c.pk for c in communities if c.slug == data["community"]), None),
        topic_slug=data["topic"],
        profession=data["profession"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    if data["author"]:
        authors = list(
            User.objects.filter(
                Q(username=data["author"])
                | Q(email__iexact=data["author"])
                | Q(display_name__iexact=data["author"], show_in_directory=True)
            ).values_list("pk", "username")[:2]
        )
        exact = [pk for pk, username in authors if username == data["author"]]
        if not authors:
            return Outcome(form, None, f"No member is called “{data['author']}”.", [], notice)
        if len(authors) > 1 and not exact:
            message = (
                f"More than one member is called “{data['author']}”: "
                "pick one from the suggestions, or type their username."
            )
            return Outcome(form, None, message, [], notice)
        filters.author_id = exact[0] if exact else authors[0][0]
    typed = any(
        data[name] for name in ["q", "all_words", "exact_phrase", "any_words", "none_words"]
    )
    if parsed.is_empty:
        if typed:
            message = "Add a word to look for: words to leave out cannot be searched alone."
            return Outcome(form, None, message, [], notice)
        if not (filters.topic_slug or filters.author_id or filters.community_id):
            return Outcome(form, None, "", [], notice)
    try:
        page = int(page)
    except (TypeError, ValueError):
        page = 1
    results = engine.search(
        None if parsed.is_empty else parsed,
        user=user,
        filters=filters,
        page=page,
        page_size=page_size,
    )
    _attach_lanyards(results)
    return Outcome(form, results, "", parsed.words(), notice)


def topic_choices(communities) -> list:
    """The advanced form's topic picker: each readable community's topics, one query."""
    from practica.communities.models import Topic

    by_community: dict[int, list] = {}
    for community_id, slug, name in Topic.objects.filter(
        community__in=[c.pk for c in communities]
    ).values_list("community_id", "slug", "name"):
        by_community.setdefault(community_id, []).append((slug, name))
    return [
        (c.name, sorted(by_community[c.pk], key=lambda t: t[1].lower()))
        for c in communities
        if c.pk in by_community
    ]


def author_suggestions(text: str, *, limit: int = 10) -> list:
    """Listed members whose name or username starts a word with `text`, for the picker."""
    from practica.people.models import User

    text = text.strip()[:100]
    if len(text) < 2:
        return []
    return list(
        User.objects.filter(is_active=True, show_in_directory=True)
        .filter(
            Q(display_name__istartswith=text)
            | Q(display_name__icontains=" " + text)
            | Q(username__istartswith=text)
        )
        .order_by("display_name", "username")
        .only("username", "display_name", "first_name", "last_name", "profession")[:limit]
    )


def _attach_lanyards(results: engine.Results) -> None:
    """Each hit's author's lanyard in the hit's community, in one query for the page."""
    from practica.communities.lanyards import Lanyard
    from practica.communities.models import Membership
    from practica.communities.stages import Stage

    hits = [hit for hit in results.hits if hit.entry.author_id]
    if not hits:
        return
    stages = {
        (user_id, community_id): (stage, suspended)
        for user_id, community_id, stage, suspended in Membership.objects.filter(
            user_id__in={hit.entry.author_id for hit in hits},
            community_id__in={hit.entry.community_id for hit in hits if hit.entry.community_id},
        ).values_list("user_id", "community_id", "stage", "suspended")
    }
    for hit in hits:
        person, community = hit.entry.author, hit.entry.community
        stage, suspended = stages.get((person.pk, hit.entry.community_id), (Stage.VISITOR, False))
        hit.lanyard = Lanyard(
            name=person.name,
            username=person.username,
            url=person.get_absolute_url(),
            profession=person.get_profession_display(),
            stage=stage,
            stage_label=community.stage_label(stage) if community and stage else "",
            suspended=suspended,
        )


def hit_as_dict(hit) -> dict:
    """One search result as search.json and the API give it."""
    from practica.search.models import SearchEntry

    KIND_LABELS = dict(SearchEntry.Kind.choices)  # noqa: N806
    entry = hit.entry
    lanyard = hit.lanyard
    return {
        "kind": entry.kind,
        "kind_label": KIND_LABELS.get(entry.kind, entry.kind),
        "id": entry.object_id,
        "title": entry.title,
        "context": entry.context,
        "url": entry.url,
        "snippet": str(hit.snippet),
        "community": entry.community.slug if entry.community else None,
        "topics": entry.topic_slugs.split(),
        "author": (
            {
                "name": lanyard.name,
                "username": lanyard.username,
                "profession": lanyard.profession,
                "stage": lanyard.stage_label,
            }
            if lanyard
            else None
        ),
        "created_at": entry.created_at.isoformat(),
        "score": hit.score,
    }
