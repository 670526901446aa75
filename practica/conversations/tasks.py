"""Background work after conversation writes: indexing and notifications."""

from __future__ import annotations

from django_tasks import task

from practica.notifications.models import Notification
from practica.notifications.services import notify


@task()
def index_thread_task(thread_id: int) -> str:
    from practica.conversations.models import Thread
    from practica.search.indexing import index_thread, remove_thread

    thread = Thread.objects.filter(pk=thread_id).select_related("community").first()
    if thread is None:
        remove_thread(thread_id)
        return "removed"
    index_thread(thread)
    return "indexed"


@task()
def notify_new_post_task(post_id: int, mentioned_ids: list[int]) -> int:
    """Tell mentioned members, the thread's watchers and the watchers of its topics."""
    from practica.conversations.models import Post, Watch
    from practica.people.models import User

    post = (
        Post.objects.select_related("thread__community", "author", "reply_to__author")
        .filter(pk=post_id)
        .first()
    )
    if post is None or not post.thread.is_public or post.is_deleted or post.is_hidden:
        return 0
    thread = post.thread
    url = f"{thread.get_absolute_url()}#post-{post.pk}"
    # One notification per member per post, however often this task runs.
    source = f"post:{post.pk}"
    author = post.author
    who = author.name if author else "Someone"
    told: set[int] = set()
    sent = 0
    for user in User.objects.filter(pk__in=mentioned_ids):
        told.add(user.pk)
        sent += bool(
            notify(
                recipient=user,
                kind=Notification.Kind.MENTION,
                text=f"{who} mentioned you in “{thread.title}”.",
                url=url,
                community=thread.community,
                actor=author,
                source=source,
            )
        )
    answered = post.reply_to.author if post.reply_to_id and post.reply_to else None
    if answered is not None and answered.pk not in told and answered.pk != post.author_id:
        # Whoever was answered hears of it even without watching: Discourse does the same.
        told.add(answered.pk)
        sent += bool(
            notify(
                recipient=answered,
                kind=Notification.Kind.REPLY,
                text=f"{who} replied to your post in “{thread.title}”.",
                url=url,
                community=thread.community,
                actor=author,
                source=source,
            )
        )
    if post.is_opening:
        watchers = Watch.objects.filter(topic__in=thread.topics.all())
        text = f"New in a topic you watch: “{thread.title}”, by {who}."
    else:
        watchers = Watch.objects.filter(thread=thread)
        text = f"{who} replied to “{thread.title}”."
    for watch in watchers.select_related("user").order_by("user_id"):
        if watch.user_id in told:
            continue
        told.add(watch.user_id)
        sent += bool(
            notify(
                recipient=watch.user,
                kind=Notification.Kind.REPLY,
                text=text,
                url=url,
                community=thread.community,
                actor=author,
                source=source,
            )
        )
    return sent


@task()
def notify_accepted_task(post_id: int, actor_id: int) -> int:
    from practica.conversations.models import Post
    from practica.people.models import User

    post = Post.objects.select_related("thread__community", "author").filter(pk=post_id).first()
    actor = User.objects.filter(pk=actor_id).first()
    if post is None or post.author is None:
        return 0
    thread = post.thread
    made = notify(
        recipient=post.author,
        kind=Notification.Kind.ACCEPTED,
        text=f"Your answer to “{thread.title}” was accepted.",
        url=f"{thread.get_absolute_url()}#post-{post.pk}",
        community=thread.community,
        actor=actor,
        source=f"accepted:{post.pk}",
    )
    return int(made is not None)
