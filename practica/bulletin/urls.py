"""URLs of the bulletin, under /bulletin/ (see ARCHITECTURE.md for the stable ones)."""

from django.urls import path, register_converter

from practica.bulletin.views import editor, feeds, pdf, public, subscription


class FourDigitYear:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class TwoDigitMonth:
    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigitMonth, "mm")

app_name = "bulletin"

ISSUE = "<slug:bulletin_slug>/<yyyy:year>/<mm:month>"
EDIT = "<slug:bulletin_slug>/edit"

urlpatterns = [
    path("", public.home, name="home"),
    path("rss.xml", feeds.BulletinRssFeed(), name="rss"),
    path("atom.xml", feeds.BulletinAtomFeed(), name="atom"),
    path("archive/", public.archive_all, name="archive"),
    path("search/", public.search, name="search"),
    path("subscribe/", subscription.subscribe, name="subscribe-home"),
    path("confirm/<str:token>/", subscription.confirm, name="confirm"),
    path("subscription/<str:token>/", subscription.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", subscription.unsubscribe, name="unsubscribe"),
    path("share/mastodon/", public.share_mastodon, name="share-mastodon"),
    path("topics/", public.topics, name="topics"),
    path("topics/<slug:topic_slug>/", public.topic, name="topic"),
    path("topics/<slug:topic_slug>/rss.xml", feeds.TopicRssFeed(), name="topic-rss"),
    path("topics/<slug:topic_slug>/atom.xml", feeds.TopicAtomFeed(), name="topic-atom"),
    # One bulletin: its home and archive, its years, issues and articles.
    path("<slug:bulletin_slug>/", public.bulletin, name="bulletin"),
    path("<slug:bulletin_slug>/rss.xml", feeds.BulletinRssFeed(), name="bulletin-rss"),
    path("<slug:bulletin_slug>/atom.xml", feeds.BulletinAtomFeed(), name="bulletin-atom"),
    path("<slug:bulletin_slug>/subscribe/", subscription.subscribe, name="subscribe"),
    path(
        "<slug:bulletin_slug>/subscribe/sent/", subscription.subscribe_sent, name="subscribe-sent"
    ),
    path("<slug:bulletin_slug>/<yyyy:year>/", public.year, name="year"),
    path(f"{ISSUE}/", public.issue, name="issue"),
    path(f"{ISSUE}.pdf", pdf.issue_pdf, name="issue-pdf"),
    path(f"{ISSUE}/<slug:article_slug>/", public.article, name="article"),
    path(f"{ISSUE}/<slug:article_slug>.pdf", pdf.article_pdf, name="article-pdf"),
    # The editor.
    path(f"{EDIT}/", editor.dashboard, name="edit"),
    path(f"{EDIT}/settings/", editor.bulletin_settings, name="edit-settings"),
    path(f"{EDIT}/editors/add/", editor.editor_add, name="editor-add"),
    path(f"{EDIT}/editors/<int:user_id>/remove/", editor.editor_remove, name="editor-remove"),
    path(f"{EDIT}/issues/new/", editor.issue_create, name="issue-create"),
    path(f"{EDIT}/issues/<int:issue_id>/", editor.issue_edit, name="issue-edit"),
    path(f"{EDIT}/issues/<int:issue_id>/publish/", editor.issue_publish, name="issue-publish"),
    path(f"{EDIT}/issues/<int:issue_id>/test/", editor.issue_send_test, name="issue-send-test"),
    path(f"{EDIT}/issues/<int:issue_id>/schedule/", editor.issue_schedule, name="issue-schedule"),
    path(
        f"{EDIT}/issues/<int:issue_id>/unschedule/",
        editor.issue_unschedule,
        name="issue-unschedule",
    ),
    path(f"{EDIT}/issues/<int:issue_id>/sending/", editor.issue_sending, name="issue-sending"),
    path(f"{EDIT}/issues/<int:issue_id>/retry/", editor.issue_retry, name="issue-retry"),
    path(
        f"{EDIT}/issues/<int:issue_id>/articles/new/",
        editor.article_create,
        name="article-create",
    ),
    path(f"{EDIT}/articles/<int:article_id>/", editor.article_edit, name="article-edit"),
    path(f"{EDIT}/articles/<int:article_id>/move/", editor.article_move, name="article-move"),
    path(f"{EDIT}/articles/<int:article_id>/delete/", editor.article_delete, name="article-delete"),
]
