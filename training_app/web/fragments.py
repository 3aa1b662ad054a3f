"""Parts of pages drawn once for the figures they show and kept in the worker (issue 25): a dashboard's plots drawn
from a kept summary look the same until the summary is counted again, so they are drawn once per summary, not once
per request.

A view keeps such a part with `kept_html(key, render)`; a template marks one `{% call kept_fragment("name", key...) %}
...{% endcall %}`. The key must name everything the part shows: the kept answer (report or summary, scope, date,
generation, when it was counted) and the page's own arguments. The signed-in role (which links a part may hold) and
the address root are added to it. At most MOST_FRAGMENTS are kept (a report table is up to about 150 KiB), the least
recently used dropped first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

MOST_FRAGMENTS = 128


class Fragments:
    """The kept parts of one app, least recently used first."""

    def __init__(self) -> None:
        self._kept: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
            return html

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._kept[key] = html
            self._kept.move_to_end(key)
            while len(self._kept) > MOST_FRAGMENTS:
                self._kept.popitem(last=False)


def kept_html(key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
    """The part's HTML kept under its key (with the signed-in role and the address root), rendered now if not kept."""
    fragments: Fragments = current_app.extensions["fragments"]
    role = current_user.role if current_user.is_authenticated else None
    full_key = (*key, role, request.script_root)
    html = fragments.get(full_key)
    if html is None:
        html = str(render())
        fragments.put(full_key, html)
    return Markup(html)  # noqa: S704 (the output of the app's own autoescaping template)


def kept_fragment(*key: Hashable, caller: Callable[[], str]) -> Markup:
    """`kept_html` for a template's `{% call %}` block: its body is drawn only when the key is not kept."""
    return kept_html(key, caller)


def register_fragments(app: Flask) -> None:
    app.extensions["fragments"] = Fragments()
    app.jinja_env.globals["kept_fragment"] = kept_fragment
