"""Read a Discourse site from saved JSON API pages and import it as conversations.

The directory holds pages as Discourse's JSON API serves them, saved under any names
(docs/discourse-import.md lists the URLs to save). Each file is recognised by its shape:

- `/categories.json?include_subcategories=true` → `{"category_list": {"categories": [...]}}`
  (sub-categories nested as `subcategory_list`, or flat with `parent_category_id`);
- `/t/<id>.json?include_raw=true` → a topic with `post_stream.posts` (each with `raw`);
  later pages `/t/<id>/posts.json?post_ids[]=…&include_raw=true` → `{"post_stream": …}`;
- `/admin/users/list/active.json?show_emails=true` → a list of users with `email`;
  `/u/<username>.json` → `{"user": {...}}`;
- `/user_actions.json?username=<u>&filter=1` → `{"user_actions": [...]}`, likes given
  (action_type 1) with the post's id and who liked it;
  `/post_action_users.json?id=<post id>&post_action_type_id=2` saved with the post id in
  its name → `{"post_action_users": [...]}`.

Categories become communities (top-level categories; their sub-categories become topics
of them) or, with a target community, topics of that community. Topics become threads
(questions when solved or asked with a question mark, else discussions), posts keep their
raw Markdown, dates and reply-to, likes become helpful marks, a solved topic's answer
becomes the accepted answer, and tags become topics. Importing again updates, never
duplicates (each thread keeps `discourse-<topic id>` as its external id).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify


class DiscourseError(ValueError):
    """The directory cannot be read; the message names the file."""


@dataclass
class Site:
    categories: dict[int, dict] = field(default_factory=dict)
    topics: dict[int, dict] = field(default_factory=dict)
    posts: dict[int, dict[int, dict]] = field(default_factory=lambda: defaultdict(dict))
    users: dict[str, dict] = field(default_factory=dict)
    likes: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    sources: dict[int, str] = field(default_factory=dict)
    files: int = 0


def read_site(directory: str | Path) -> Site:
    root = Path(directory)
    if not root.is_dir():
        raise DiscourseError(f"{directory} is not a directory.")
    site = Site()
    for path in sorted(root.rglob("*.json")):
        name = str(path.relative_to(root))
        try:
            page = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise DiscourseError(f"{name}: not UTF-8 text.") from None
        except json.JSONDecodeError as error:
            raise DiscourseError(
                f"{name} line {error.lineno}: not valid JSON ({error.msg} at column {error.colno})."
            ) from None
        site.files += 1
        _read_page(site, name, page)
    if not site.topics:
        raise DiscourseError(f"{directory} holds no topic pages (/t/<id>.json).")
    return site


def _read_page(site: Site, name: str, page) -> None:
    if isinstance(page, list):
        for user in page:
            if isinstance(user, dict) and "username" in user:
                _user(site, user)
        return
    if not isinstance(page, dict):
        return
    if "category_list" in page:
        for category in page["category_list"].get("categories", []):
            _category(site, category, parent=None)
    if "category" in page and isinstance(page["category"], dict):
        _category(site, page["category"], parent=page["category"].get("parent_category_id"))
    if isinstance(page.get("user"), dict):
        _user(site, page["user"])
    for user in page.get("users", []) if isinstance(page.get("users"), list) else []:
        if isinstance(user, dict) and "username" in user:
            _user(site, user)
    if "post_stream" in page:
        topic_id = page.get("id")
        if "title" in page:
            if not isinstance(topic_id, int):
                raise DiscourseError(f"{name}: a topic page needs its numeric “id”.")
            site.topics[topic_id] = page
            site.sources[topic_id] = name
        for post in page["post_stream"].get("posts", []):
            owner = post.get("topic_id", topic_id)
            if not isinstance(owner, int) or not isinstance(post.get("post_number"), int):
                raise DiscourseError(f"{name}: a post needs “topic_id” and “post_number”.")
            site.posts[owner][post["post_number"]] = post
            site.sources.setdefault(owner, name)
    for action in page.get("user_actions", []) or []:
        # 1 = a like given (acting_username liked post_id); 2 = a like received.
        if action.get("action_type") in (1, 2) and action.get("post_id"):
            liker = action.get("acting_username")
            if liker:
                site.likes[action["post_id"]].add(liker)
    if "post_action_users" in page:
        numbers = re.findall(r"\d+", Path(name).name)
        if not numbers:
            raise DiscourseError(f"{name}: name the file with the post's id, e.g. likes-123.json.")
        for user in page["post_action_users"]:
            site.likes[int(numbers[-1])].add(user["username"])


def _category(site: Site, category: dict, parent) -> None:
    site.categories[category["id"]] = {
        **category,
        "parent_category_id": category.get("parent_category_id", parent),
    }
    for child in category.get("subcategory_list", []) or []:
        _category(site, child, parent=category["id"])


def _user(site: Site, user: dict) -> None:
    known = site.users.setdefault(user["username"], {})
    known.update({k: v for k, v in user.items() if v not in (None, "")})


def _when(value) -> dt.datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return dt.datetime.now(dt.UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _tags(topic: dict) -> list[str]:
    tags = []
    for tag in topic.get("tags") or []:
        tags.append(tag.get("name") or tag.get("slug") if isinstance(tag, dict) else str(tag))
    return [t for t in tags if t]


@dataclass
class DiscourseResult:
    communities: dict[str, dict] = field(default_factory=dict)
    threads: int = 0
    posts: int = 0
    helpful_marks: int = 0
    accepted: int = 0
    people_created: int = 0
    created_communities: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{self.threads} threads with {self.posts} posts, {self.helpful_marks} helpful marks "
            f"and {self.accepted} accepted answers in {len(self.communities)} "
            f"communit{'y' if len(self.communities) == 1 else 'ies'}; {self.people_created} "
            f"people created, in {self.seconds:.2f} s "
            f"({self.posts / self.seconds if self.seconds else 0:,.0f} posts/s)."
        ]
        lines += [f"Created the community {slug}." for slug in self.created_communities]
        return "\n".join(lines)


def _root_of(site: Site, category_id) -> dict | None:
    category = site.categories.get(category_id)
    seen = set()
    while category and category.get("parent_category_id") and category["id"] not in seen:
        seen.add(category["id"])
        category = site.categories.get(category["parent_category_id"]) or category
        if category.get("parent_category_id") is None:
            break
    return category


def _stage_for(user: dict) -> int:
    from practica.communities.stages import Stage

    if user.get("admin") or user.get("moderator"):
        return Stage.STEWARD
    level = user.get("trust_level") or 0
    return {3: Stage.FULL, 4: Stage.FULL, 2: Stage.PARTICIPANT}.get(level, Stage.PERIPHERAL)


def import_site(site: Site, *, community_slug: str | None = None) -> DiscourseResult:
    """Import `site`: into the community `community_slug` (categories become its topics),
    or into one community per top-level category (created when missing)."""
    import time

    from practica.communities.models import Community

    started = time.perf_counter()
    result = DiscourseResult()
    by_community: dict[str, list[int]] = defaultdict(list)
    communities: dict[str, Community] = {}
    if community_slug:
        target = Community.objects.filter(slug=community_slug).first()
        if target is None:
            raise DiscourseError(f"There is no community “{community_slug}”.")
        communities[target.slug] = target
        by_community[target.slug] = sorted(site.topics)
    else:
        for topic_id in sorted(site.topics):
            root = _root_of(site, site.topics[topic_id].get("category_id"))
            if root is None:
                raise DiscourseError(
                    f"{site.sources[topic_id]}: topic {topic_id} is in a category no saved "
                    "categories.json describes; save it, or import with --community."
                )
            slug = slugify(root.get("slug") or root["name"])[:60] or f"category-{root['id']}"
            if slug not in communities:
                community = Community.objects.filter(slug=slug).first()
                if community is None:
                    community = Community(name=root["name"][:120], slug=slug)
                    community.set_charter(root.get("description") or "")
                    community.save()
                    result.created_communities.append(slug)
                communities[slug] = community
            by_community[slug].append(topic_id)
    for slug, topic_ids in by_community.items():
        _import_into(
            site, communities[slug], topic_ids, result, categories_as_topics=bool(community_slug)
        )
    result.seconds = time.perf_counter() - started
    return result


def _author(site: Site, username: str | None) -> str:
    user = site.users.get(username or "", {})
    email = user.get("email")
    return email if email else (username or "system")


def _import_into(
    site: Site,
    community,
    topic_ids: list[int],
    result: DiscourseResult,
    *,
    categories_as_topics: bool,
) -> None:
    from practica.conversations.services.imports import Directory, Record, Reply, import_records

    directory = Directory(community)
    records, posts_of = [], {}
    for line, topic_id in enumerate(topic_ids, start=1):
        topic = site.topics[topic_id]
        posts = [site.posts[topic_id][n] for n in sorted(site.posts.get(topic_id, {}))]
        posts = [p for p in posts if p.get("post_type", 1) == 1 and not p.get("deleted_at")]
        if not posts or posts[0].get("post_number") != 1:
            result.errors.append(
                f"{site.sources[topic_id]}: topic {topic_id} has no first post; skipped."
            )
            continue
        missing = [p["post_number"] for p in posts if not isinstance(p.get("raw"), str)]
        if missing:
            raise DiscourseError(
                f"{site.sources[topic_id]}: post {missing[0]} of topic {topic_id} has no “raw” "
                "Markdown; save topics with ?include_raw=true."
            )
        accepted_number = (topic.get("accepted_answer") or {}).get("post_number")
        accepted_number = accepted_number or next(
            (p["post_number"] for p in posts if p.get("accepted_answer")), None
        )
        tags = _tags(topic)
        category = site.categories.get(topic.get("category_id"))
        if category and (categories_as_topics or category.get("parent_category_id")):
            tags.insert(0, category["name"])
        title = topic.get("title") or topic.get("fancy_title") or f"Topic {topic_id}"
        kind = "question" if accepted_number or title.rstrip().endswith("?") else "discussion"
        if len(title.strip()) < 8:
            title = f"{title.strip()} (from the forum)"
        records.append(
            Record(
                line=line,
                external_id=f"discourse-{topic_id}",
                title=title[:200],
                body=posts[0]["raw"],
                kind=kind,
                author=_author(site, posts[0].get("username")),
                created=_when(posts[0].get("created_at") or topic.get("created_at")),
                tags=tags,
                replies=[
                    Reply(
                        body=p["raw"],
                        author=_author(site, p.get("username")),
                        created=_when(p.get("created_at")),
                        accepted=p["post_number"] == accepted_number and kind == "question",
                    )
                    for p in posts[1:]
                ],
            )
        )
        posts_of[f"discourse-{topic_id}"] = (topic, posts)
    from django.utils import timezone

    started_at = timezone.now()
    outcome = import_records(community=community, records=records, directory=directory)
    for line, message in outcome.errors:
        result.errors.append(f"{site.sources[topic_ids[line - 1]]}: {message}")
    stats = _after_import(site, community, posts_of, directory, started_at)
    result.people_created += stats.pop("people_created")
    result.threads += stats["threads"]
    result.posts += stats["posts"]
    result.helpful_marks += stats["marks"]
    result.accepted += stats["accepted"]
    result.communities[community.slug] = stats


def _after_import(site: Site, community, posts_of: dict, directory, started_at) -> dict:
    """Reply-to links, likes as helpful marks, pinned and closed, names and stages."""
    from django.db.models import Count

    from practica.communities.models import Membership, StageChange
    from practica.conversations.models import HelpfulMark, Post, Thread
    from practica.people.models import User

    stats = {"threads": 0, "posts": 0, "marks": 0, "accepted": 0}
    new_people = set(
        User.objects.filter(
            pk__in=[u.pk for u in directory.users.values()], date_joined__gte=started_at
        ).values_list("pk", flat=True)
    )
    stats["people_created"] = len(new_people)
    usernames = {}
    for name, user in directory.users.items():
        usernames[name] = user
    for username, info in site.users.items():
        key = info.get("email") or username
        if key in usernames:
            usernames[username] = usernames[key]
    with transaction.atomic():
        threads = {
            t.external_id: t
            for t in Thread.objects.filter(community=community, external_id__in=list(posts_of))
        }
        marks, changed_posts = [], []
        for external_id, (topic, source_posts) in posts_of.items():
            thread = threads.get(external_id)
            if thread is None:
                continue
            stats["threads"] += 1
            stats["accepted"] += thread.accepted_post_id is not None
            posts = list(Post.objects.filter(thread=thread).order_by("created_at", "pk"))
            opening = [p for p in posts if p.is_opening]
            ordered = opening + [p for p in posts if not p.is_opening]
            by_number = {sp["post_number"]: p for sp, p in zip(source_posts, ordered, strict=False)}
            stats["posts"] += len(by_number)
            for source, post in zip(source_posts, ordered, strict=False):
                target = by_number.get(source.get("reply_to_post_number") or 0)
                if target is not None and target.pk != post.pk and post.reply_to_id != target.pk:
                    post.reply_to = target
                    changed_posts.append(post)
                for liker in site.likes.get(source.get("id"), ()):
                    user = usernames.get(liker) or usernames.get(
                        site.users.get(liker, {}).get("email", "")
                    )
                    if user is not None and user.pk != post.author_id:
                        marks.append(HelpfulMark(post=post, user=user, created_at=post.created_at))
            thread.is_pinned = bool(topic.get("pinned") or topic.get("pinned_globally"))
            thread.is_locked = bool(topic.get("closed") or topic.get("archived"))
        Post.objects.bulk_update(changed_posts, ["reply_to"], batch_size=1000)
        HelpfulMark.objects.bulk_create(marks, ignore_conflicts=True, batch_size=1000)
        Thread.objects.bulk_update(list(threads.values()), ["is_pinned", "is_locked"])
        post_ids = [p.pk for t in threads.values() for p in t.posts.all()]
        counts = dict(
            HelpfulMark.objects.filter(post_id__in=post_ids)
            .values_list("post_id")
            .annotate(n=Count("pk"))
            .values_list("post_id", "n")
        )
        stats["marks"] = sum(counts.values())
        for post in Post.objects.filter(pk__in=post_ids):
            if post.helpful_count != counts.get(post.pk, 0):
                post.helpful_count = counts.get(post.pk, 0)
                post.save(update_fields=["helpful_count"])
        for thread in threads.values():
            total = sum(counts.get(p.pk, 0) for p in thread.posts.all())
            if thread.helpful_count != total:
                Thread.objects.filter(pk=thread.pk).update(helpful_count=total)
        # Names, and the stage the forum's trust gave them (never lowered).
        for username, info in site.users.items():
            user = usernames.get(username)
            if user is None:
                continue
            if user.pk in new_people:
                # Keep the forum's handle and name for the people this import created.
                changes = {"display_name": info["name"][:120]} if info.get("name") else {}
                handle = username[:150]
                if user.username != handle and not User.objects.filter(username=handle).exists():
                    changes["username"] = handle
                if changes:
                    User.objects.filter(pk=user.pk).update(**changes)
            membership = Membership.objects.filter(user=user, community=community).first()
            stage = _stage_for(info)
            if membership is not None and stage > membership.stage:
                StageChange.objects.create(
                    membership=membership,
                    kind=StageChange.Kind.PROMOTED,
                    from_stage=membership.stage,
                    to_stage=stage,
                    reason=(
                        "Imported from Discourse: "
                        + (
                            "a moderator there."
                            if stage == 40
                            else f"trust level {info.get('trust_level', 0)} there."
                        )
                    ),
                )
                Membership.objects.filter(pk=membership.pk).update(stage=stage)
    return stats
