"""The editor's pages: issues, articles, scheduling, publishing and the sending log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.bulletin import querysets
from practica.bulletin.forms import (
    ArticleForm,
    BulletinSettingsForm,
    EditorForm,
    IssueForm,
    ScheduleForm,
)
from practica.bulletin.models import (
    Article,
    Bulletin,
    BulletinEditor,
    Delivery,
    DeliveryStatus,
    Issue,
    Subscriber,
    SubscriberStatus,
)
from practica.bulletin.permissions import can_see_subscribers, require_editor
from practica.bulletin.services import audience, publication, sending
from practica.people.models import User
from practica.privacy.forms import apply_service_error
from practica.reliability.idempotency import SubmissionKeyForm, key_from_request
from practica.words import counted


def _editable_bulletin(request: HttpRequest, bulletin_slug: str) -> Bulletin:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    require_editor(request.user, bulletin)
    return bulletin


def _issue(request: HttpRequest, bulletin_slug: str, issue_id: int) -> Issue:
    bulletin = _editable_bulletin(request, bulletin_slug)
    issue = get_object_or_404(Issue, pk=issue_id, bulletin=bulletin)
    issue.bulletin = bulletin
    return issue


def _article(request: HttpRequest, bulletin_slug: str, article_id: int) -> Article:
    bulletin = _editable_bulletin(request, bulletin_slug)
    article = get_object_or_404(
        Article.objects.select_related("issue"), pk=article_id, issue__bulletin=bulletin
    )
    article.issue.bulletin = bulletin
    return article


def _form_error(form, error: ValidationError) -> None:
    apply_service_error(form, error)


@login_required
def dashboard(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    bulletin = _editable_bulletin(request, bulletin_slug)
    issues = (
        Issue.objects.filter(bulletin=bulletin)
        .annotate(
            article_count=Count("articles", distinct=True),
        )
        .order_by("-year", "-month")
    )
    subscribers = Subscriber.objects.filter(bulletin=bulletin).aggregate(
        confirmed=Count("pk", filter=Q(status=SubscriberStatus.CONFIRMED)),
        pending=Count("pk", filter=Q(status=SubscriberStatus.PENDING)),
        unsubscribed=Count("pk", filter=Q(status=SubscriberStatus.UNSUBSCRIBED)),
    )
    latest = issues.first()
    suggestion = {}
    if latest:
        year, month = (
            (latest.year + 1, 1) if latest.month == 12 else (latest.year, latest.month + 1)
        )
        suggestion = {
            "volume": latest.volume,
            "number": latest.number + 1,
            "year": year,
            "month": month,
        }
    else:
        now = timezone.localdate()
        suggestion = {"volume": 1, "number": 1, "year": now.year, "month": now.month}
    return render(
        request,
        "bulletin/editor/dashboard.html",
        {
            "bulletin": bulletin,
            "issues": issues,
            "subscribers": subscribers,
            "issue_form": IssueForm(bulletin=bulletin, initial=suggestion),
            "editors": BulletinEditor.objects.filter(bulletin=bulletin).select_related("user"),
            "editor_form": EditorForm(),
            "settings_form": BulletinSettingsForm(instance=bulletin),
        },
    )


@login_required
@require_POST
def bulletin_settings(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    bulletin = _editable_bulletin(request, bulletin_slug)
    form = BulletinSettingsForm(request.POST, instance=Bulletin.objects.get(pk=bulletin.pk))
    if form.is_valid():
        try:
            publication.update_bulletin(actor=request.user, bulletin=bulletin, **form.cleaned_data)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Bulletin settings saved.")
            return redirect("bulletin:edit", bulletin_slug=bulletin.slug)
    return render(request, "bulletin/editor/settings.html", {"bulletin": bulletin, "form": form})


@login_required
@require_POST
def editor_add(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    bulletin = _editable_bulletin(request, bulletin_slug)
    form = EditorForm(request.POST)
    if form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None:
            messages.error(
                request, "Nobody here has that email address: they need an account first."
            )
        else:
            publication.add_editor(actor=request.user, bulletin=bulletin, user=person)
            messages.success(request, f"{person.name} can now edit and publish {bulletin.name}.")
    else:
        messages.error(request, "Enter a valid email address to add an editor.")
    return redirect("bulletin:edit", bulletin_slug=bulletin.slug)


@login_required
@require_POST
def editor_remove(request: HttpRequest, bulletin_slug: str, user_id: int) -> HttpResponse:
    bulletin = _editable_bulletin(request, bulletin_slug)
    person = get_object_or_404(User, pk=user_id)
    publication.remove_editor(actor=request.user, bulletin=bulletin, user=person)
    messages.success(request, f"{person.name} is no longer a designated editor.")
    return redirect("bulletin:edit", bulletin_slug=bulletin.slug)


@login_required
@require_POST
def issue_create(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    bulletin = _editable_bulletin(request, bulletin_slug)
    form = IssueForm(request.POST, bulletin=bulletin)
    if form.is_valid():
        try:
            issue = publication.create_issue(
                actor=request.user, bulletin=bulletin, **form.cleaned_data
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{issue.citation} created. Add its articles.")
            return redirect("bulletin:issue-edit", bulletin_slug=bulletin.slug, issue_id=issue.pk)
    return render(
        request, "bulletin/editor/issue_new.html", {"bulletin": bulletin, "form": form}, status=400
    )


@login_required
def issue_edit(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    form = IssueForm(request.POST or None, instance=issue, bulletin=issue.bulletin)
    if request.method == "POST" and form.is_valid():
        try:
            publication.update_issue(actor=request.user, issue=issue, **form.cleaned_data)
        except ValidationError as error:
            issue.refresh_from_db()
            _form_error(form, error)
        else:
            messages.success(request, "Issue saved.")
            return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)
    return _issue_page(request, issue, form=form)


def _issue_page(request, issue: Issue, *, form=None, schedule_form=None, status=200):
    return render(
        request,
        "bulletin/editor/issue_edit.html",
        {
            "bulletin": issue.bulletin,
            "issue": issue,
            "form": form or IssueForm(instance=issue, bulletin=issue.bulletin),
            "schedule_form": schedule_form or ScheduleForm(),
            "publish_form": SubmissionKeyForm(),
            "articles": querysets.articles_of(issue),
            "progress": sending.progress(issue) if issue.is_published else None,
            "audience": None
            if issue.is_published
            else audience.audience(
                issue, with_list=can_see_subscribers(request.user, issue.bulletin)
            ),
        },
        status=status,
    )


@login_required
@require_POST
def issue_publish(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    try:
        queued = publication.publish_issue(
            actor=request.user, issue=issue, submission_key=key_from_request(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)
    messages.success(request, f"Published. Sending to {counted(queued, 'subscriber')}.")
    return redirect("bulletin:issue-sending", bulletin_slug=bulletin_slug, issue_id=issue.pk)


@login_required
@require_POST
def issue_send_test(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    """Email the issue, as subscribers will get it, to the editor alone."""
    issue = _issue(request, bulletin_slug, issue_id)
    try:
        address = audience.send_test_issue(actor=request.user, issue=issue)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"A test of this issue was sent to {address}. No subscriber got it."
        )
    return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)


@login_required
@require_POST
def issue_schedule(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            publication.schedule_issue(
                actor=request.user, issue=issue, when=form.cleaned_data["when"]
            )
        except ValidationError as error:
            form.add_error("when", error)
        else:
            when = timezone.localtime(issue.scheduled_for).strftime("%-d %B %Y at %H:%M")
            messages.success(request, f"Scheduled: it will be published and sent on {when}.")
            return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)
    return _issue_page(request, issue, schedule_form=form, status=400)


@login_required
@require_POST
def issue_unschedule(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    try:
        publication.unschedule_issue(actor=request.user, issue=issue)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "No longer scheduled: the issue is a draft again.")
    return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)


@login_required
def issue_sending(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    """Progress of sending: counts, and the per-recipient log (htmx refreshes the counts)."""
    issue = _issue(request, bulletin_slug, issue_id)
    status_filter = request.GET.get("status", "")
    log = Delivery.objects.filter(issue=issue).select_related("subscriber").order_by("pk")
    if status_filter in DeliveryStatus.values:
        log = log.filter(status=status_filter)
    page = Paginator(log, 50).get_page(request.GET.get("page"))
    context = {
        "bulletin": issue.bulletin,
        "issue": issue,
        "progress": sending.progress(issue),
        "page_obj": page,
        "deliveries": page.object_list,
        "status_filter": status_filter,
        "statuses": DeliveryStatus.choices,
        "query": f"status={status_filter}" if status_filter else "",
    }
    if request.htmx:
        return render(request, "bulletin/editor/sending.html#progress", context)
    return render(request, "bulletin/editor/sending.html", context)


@login_required
@require_POST
def issue_retry(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    count = sending.retry_failed(actor=request.user, issue=issue)
    messages.success(request, f"{counted(count, 'failed email')} queued again.")
    return redirect("bulletin:issue-sending", bulletin_slug=bulletin_slug, issue_id=issue.pk)


@login_required
def article_create(request: HttpRequest, bulletin_slug: str, issue_id: int) -> HttpResponse:
    issue = _issue(request, bulletin_slug, issue_id)
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = publication.create_article(
                actor=request.user,
                issue=issue,
                confirm_guard=form.guard_confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"“{article.title}” added to the issue.")
            return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=issue.pk)
    return render(
        request,
        "bulletin/editor/article_form.html",
        {"bulletin": issue.bulletin, "issue": issue, "form": form, "article": None},
        status=400 if form.errors else 200,
    )


@login_required
def article_edit(request: HttpRequest, bulletin_slug: str, article_id: int) -> HttpResponse:
    article = _article(request, bulletin_slug, article_id)
    form = ArticleForm(request.POST or None, initial=ArticleForm.initial_for(article))
    if request.method == "POST" and form.is_valid():
        try:
            publication.update_article(
                actor=request.user,
                article=article,
                confirm_guard=form.guard_confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Article saved.")
            return redirect(
                "bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=article.issue_id
            )
    return render(
        request,
        "bulletin/editor/article_form.html",
        {
            "bulletin": article.issue.bulletin,
            "issue": article.issue,
            "form": form,
            "article": article,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def article_move(request: HttpRequest, bulletin_slug: str, article_id: int) -> HttpResponse:
    article = _article(request, bulletin_slug, article_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    publication.move_article(actor=request.user, article=article, offset=offset)
    return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=article.issue_id)


@login_required
@require_POST
def article_delete(request: HttpRequest, bulletin_slug: str, article_id: int) -> HttpResponse:
    article = _article(request, bulletin_slug, article_id)
    try:
        publication.delete_article(actor=request.user, article=article)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{article.title}” removed.")
    return redirect("bulletin:issue-edit", bulletin_slug=bulletin_slug, issue_id=article.issue_id)
