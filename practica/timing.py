"""Where a request's time goes: queries, SQL time, template time and the rest.

Switched on by `PRACTICA_TIMING=1` (settings.REQUEST_TIMING), never by default:
`RequestTimingMiddleware` then answers every request with a `Server-Timing` header
(`db;dur=…;desc="N queries"`, `tpl;dur=…`, `app;dur=…`, `cpu;dur=…`), which browsers'
developer tools show and `practica profile-pages` reads. Template time is the time spent
in Django template rendering, counted once however deeply templates include each other.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection

_local = threading.local()


def _timed_render(render):
    def wrapper(self, *args, **kwargs):
        if getattr(_local, "in_template", False) or not hasattr(_local, "template"):
            return render(self, *args, **kwargs)
        _local.in_template = True
        started = time.perf_counter()
        try:
            return render(self, *args, **kwargs)
        finally:
            _local.template += time.perf_counter() - started
            _local.in_template = False

    wrapper._practica_timed = True
    return wrapper


def _install_template_timer() -> None:
    from django.template.backends.django import Template

    if not getattr(Template.render, "_practica_timed", False):
        Template.render = _timed_render(Template.render)


class RequestTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "REQUEST_TIMING", False):
            raise MiddlewareNotUsed
        _install_template_timer()
        self.get_response = get_response

    def __call__(self, request):
        queries = [0, 0.0]

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries[0] += 1
                queries[1] += time.perf_counter() - started

        _local.template = 0.0
        started, cpu = time.perf_counter(), time.process_time()
        try:
            with connection.execute_wrapper(count):
                response = self.get_response(request)
        finally:
            template = _local.template
            del _local.template
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu
        other = total - queries[1] - template
        response["Server-Timing"] = (
            f'db;dur={queries[1] * 1000:.2f};desc="{queries[0]} queries", '
            f"tpl;dur={template * 1000:.2f}, app;dur={other * 1000:.2f}, "
            f"cpu;dur={cpu * 1000:.2f}, total;dur={total * 1000:.2f}"
        )
        return response
