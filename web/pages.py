"""Pages for everyone: the start page and the accessibility statement."""

from __future__ import annotations

from flask import Blueprint, render_template

from lofte.web.guards import public

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
@public
def start() -> str:
    return render_template("start.html")


@blueprint.get("/tillganglighet")
@public
def accessibility() -> str:
    return render_template("accessibility.html")
