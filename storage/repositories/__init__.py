"""One repository per aggregate, each implementing a port of `workflow.core.ports` with
prebuilt SQLAlchemy Core statements on the unit of work's connection."""
