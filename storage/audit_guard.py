"""Database triggers that keep the audit log append-only: UPDATE and DELETE are refused on
SQLite and PostgreSQL, TRUNCATE too on PostgreSQL. A database owner can still drop, disable or
alter them; `lofte audit verify` reports that (`trigger_problems`), the keyed hash chain and
the head kept outside the database show what was done then, and `lofte init` puts the triggers
back. Each database's triggers are its driver's (`storage.drivers`)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from lofte.storage.drivers import driver_class


def present_triggers(engine: Engine) -> set[str]:
    query = driver_class(engine.dialect.name).triggers_query
    with engine.connect() as connection:
        return {str(name) for (name,) in connection.execute(text(query))}


def _even(shape: str) -> str:
    """Without case and spacing (how the database keeps the text of what it ran may vary)."""
    return "".join(shape.split()).lower()


def trigger_states(engine: Engine) -> dict[str, str]:
    """Each protecting trigger that is not as `lofte init` made it: name -> `missing` (absent
    or disabled) or `altered`."""
    driver = driver_class(engine.dialect.name)
    wanted = {
        name: _even(driver.audit_trigger_shapes.get(name, create))
        for name, create in driver.audit_triggers.items()
    }
    if "audit_events" not in inspect(engine).get_table_names():
        return dict.fromkeys(wanted, "missing")
    with engine.connect() as connection:
        found = {
            str(name): _even(str(shape))
            for name, shape in connection.execute(text(driver.trigger_shapes_query))
        }
    states = {}
    for name, shape in wanted.items():
        if name not in found:
            states[name] = "missing"
        elif found[name] != shape:
            states[name] = "altered"
    return states


def trigger_problems(engine: Engine) -> list[str]:
    """What `lofte audit verify` says about the triggers, in Swedish (empty: all in place)."""
    words = {"missing": "saknas eller är avstängd", "altered": "är ändrad"}
    return [
        f"skyddstriggern {name} {words[state]}: loggen kan ändras eller raderas utan att "
        "databasen vägrar. Kör `lofte init` för att återställa den, och ta reda på vem som "
        "ändrade den"
        for name, state in sorted(trigger_states(engine).items())
    ]


def ensure_audit_triggers(engine: Engine) -> list[str]:
    """Create the protecting triggers that are missing, disabled or altered; their names."""
    if "audit_events" not in inspect(engine).get_table_names():
        return []
    driver = driver_class(engine.dialect.name)
    wanted = driver.audit_triggers
    missing = sorted(trigger_states(engine))
    if not missing:
        return []
    with engine.begin() as connection:
        for setup in driver.trigger_setup:
            connection.execute(text(setup))
        for name in missing:
            connection.execute(text(driver.drop_trigger(name)))
            connection.execute(text(wanted[name]))
    return missing
