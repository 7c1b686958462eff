"""State changes of one cycle inside one transaction: open, enter a step, transition, complete.

Every change writes, in the same transaction, its audit event, the requests and timers it
creates or cancels, and its outbox messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from definitions.schema import (
    TERMINAL_CLOSED,
    TERMINAL_STATES,
    Advance,
    CycleDefinition,
    Event,
    FieldType,
    Organisation,
    StepSpec,
)
from workflow.cadence import Period, localize
from workflow.catalog import Catalog
from workflow.machines import MachineRegistry
from workflow.messages import input_request_message, meeting_message, summary_message
from workflow.ports import Transaction
from workflow.records import (
    AuditEvent,
    CompletionRecord,
    CycleInstance,
    InputRequest,
    Meeting,
    Outcome,
    RequestStatus,
    StepRun,
    Timer,
    TimerKind,
)
from workflow.step_times import meeting_start, step_times

TIMER_ACTOR = "timer"


@dataclasses.dataclass
class CycleOps:
    """The operations of one unit of work, at one moment, by one actor."""

    tx: Transaction
    now: datetime
    actor: str
    catalog: Catalog
    machines: MachineRegistry
    _organisation: Organisation | None = dataclasses.field(default=None, init=False)

    @property
    def organisation(self) -> Organisation:
        """The organisation in force, read once per unit of work."""
        if self._organisation is None:
            self._organisation, _ = self.catalog.organisation(self.tx)
        return self._organisation

    # opening ----------------------------------------------------------------------------
    def open_cycle(
        self, definition: CycleDefinition, version: int, period: Period
    ) -> CycleInstance | None:
        """Open the cycle for `period`, unless one is already open for it."""
        if self.tx.find_instance(definition.name, period.key) is not None:
            return None
        first = definition.steps[0].id
        instance = self.tx.add_instance(
            CycleInstance(
                definition_name=definition.name,
                definition_version=version,
                period_key=period.key,
                period_label=period.label,
                period_start=period.starts_at,
                opens_at=period.opens_at,
                ends_at=period.ends_at,
                opened_at=self.now,
                state=first,
                context=self._context_from(definition, period.key),
            )
        )
        self.audit(instance, "cycle_opened", None, first, {"period": period.key})
        self.enter_step(instance, definition, first)
        return instance

    def _context_from(self, definition: CycleDefinition, period_key: str) -> dict[str, Any]:
        context: dict[str, Any] = {}
        for ref in definition.context_from:
            source = self.tx.latest_completed(
                ref.definition, self.now, period_key if ref.period == "same" else None
            )
            if source is None:
                continue
            answers = self.tx.submissions_for_step(source.id or 0, ref.step)
            context[ref.definition] = {
                "label": ref.label,
                "period_label": source.period_label,
                "instance_id": source.id,
                "answers": [s.data for s in answers],  # public part only, never sensitive
            }
        return context

    # steps --------------------------------------------------------------------------------
    def enter_step(
        self, instance: CycleInstance, definition: CycleDefinition, step_id: str
    ) -> CycleInstance:
        assert instance.id is not None
        step = definition.step(step_id)
        times = step_times(definition, step, instance.opens_at)
        step_run = self.tx.add_step_run(
            StepRun(instance.id, step.id, self.now, times.deadline, times.late_until)
        )
        assert step_run.id is not None
        organisation = self.organisation
        recipients = self._recipients(instance, definition, step, organisation)
        for person_id, roles, subject in recipients:
            request = self.tx.add_request(
                InputRequest(
                    instance_id=instance.id,
                    step_run_id=step_run.id,
                    step_id=step.id,
                    person_id=person_id,
                    roles=roles,
                    requested_at=self.now,
                    deadline_at=times.deadline,
                    subject=subject,
                )
            )
            person = organisation.person(person_id)
            self.tx.add_outbox(
                input_request_message(
                    definition, instance, step, request, person, self.now, times.late_until
                )
            )
            for number, due in enumerate(times.reminders, start=1):
                if due > self.now:
                    self._timer(
                        TimerKind.REMINDER,
                        f"reminder:{request.id}:{number}",
                        due,
                        instance,
                        step_run,
                        request.id,
                        {"number": number},
                    )
        self.audit(
            instance,
            "step_opened",
            None,
            step.id,
            {
                "step": step.id,
                "deadline": times.deadline.isoformat(),
                "requested_from": [p for p, _, _ in recipients],
            },
        )
        if step.meeting is not None:
            self._schedule_meeting(instance, definition, step, recipients, organisation)
        self._timer(
            TimerKind.DEADLINE, f"deadline:{step_run.id}", times.deadline, instance, step_run
        )
        if times.escalation is not None:
            self._timer(
                TimerKind.ESCALATION,
                f"escalation:{step_run.id}",
                times.escalation,
                instance,
                step_run,
            )
        if step.advance is not Advance.DEADLINE:
            self._timer(
                TimerKind.EXPIRY, f"expiry:{step_run.id}", times.late_until, instance, step_run
            )
            if not recipients:
                return self.transition(
                    instance,
                    definition,
                    Event.INPUTS_COMPLETE,
                    {"reason": "no inputs owed in this step"},
                )
        return instance

    def _schedule_meeting(
        self,
        instance: CycleInstance,
        definition: CycleDefinition,
        step: StepSpec,
        recipients: list[tuple[str, tuple[str, ...], dict[str, Any]]],
        organisation: Organisation,
    ) -> None:
        """Book the step's meeting and invite its participants (once per cycle and step)."""
        assert step.meeting is not None and instance.id is not None
        if self.tx.meeting(instance.id, step.id) is not None:
            return
        starts = meeting_start(definition, step, instance.opens_at)
        assert starts is not None
        zone = ZoneInfo(definition.timezone)
        local_end = step.meeting.length.add_to(starts.astimezone(zone).replace(tzinfo=None))
        roles = step.meeting.participants
        invited = (
            [p.id for p in organisation.people if set(p.roles) & set(roles)]
            if roles
            else [person_id for person_id, _, _ in recipients]
        )
        meeting = self.tx.add_meeting(
            Meeting(
                instance_id=instance.id,
                step_id=step.id,
                uid=f"{definition.name}-{instance.period_key}-{step.id}@lofte",
                starts_at=starts,
                ends_at=localize(local_end, zone).astimezone(starts.tzinfo),
                location=step.meeting.location,
                participants=tuple(dict.fromkeys(invited)),
            )
        )
        self.send_meeting(instance, definition, step, meeting, "invite")
        self.audit(
            instance,
            "meeting_booked",
            None,
            None,
            {
                "step": step.id,
                "starts_at": meeting.starts_at.isoformat(),
                "participants": list(meeting.participants),
            },
        )

    def send_meeting(
        self,
        instance: CycleInstance,
        definition: CycleDefinition,
        step: StepSpec,
        meeting: Meeting,
        change: str,
    ) -> None:
        organizer = self.organisation.people_with_role(definition.chair_role)[0]
        for person_id in meeting.participants:
            person = self.organisation.find(person_id)
            if person is None:
                continue  # left the organisation since the meeting was booked
            self.tx.add_outbox(
                meeting_message(
                    definition, instance, step, meeting, person, organizer, change, self.now
                )
            )

    def _recipients(
        self,
        instance: CycleInstance,
        definition: CycleDefinition,
        step: StepSpec,
        organisation: Organisation,
    ) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
        if step.requests_from is not None:
            return self._recipients_from_rows(instance, step, organisation)
        roles = (step.decided_by,) if step.advance is Advance.DECISION else step.responsible
        found: dict[str, list[str]] = {}
        for person in organisation.people:
            held = [r for r in roles if r in person.roles]
            if held:
                found[person.id] = held
        return [(pid, tuple(held), {}) for pid, held in found.items()]

    def _recipients_from_rows(
        self, instance: CycleInstance, step: StepSpec, organisation: Organisation
    ) -> list[tuple[str, tuple[str, ...], dict[str, Any]]]:
        ref = step.requests_from
        assert ref is not None
        source = self.tx.latest_completed(
            ref.definition, self.now, instance.period_key if ref.period == "same" else None
        )
        if source is None or source.id is None:
            return []
        source_definition = self.catalog.definition(
            self.tx, source.definition_name, source.definition_version
        )
        source_step = source_definition.step(ref.step)
        recipients: list[tuple[str, tuple[str, ...], dict[str, Any]]] = []
        for submission in self.tx.submissions_for_step(source.id, ref.step):
            for field_id in ref.fields:
                spec = next(f for f in source_step.fields if f.id == field_id)
                public_columns = {
                    c.id: c.label
                    for c in spec.columns
                    if not c.sensitive and c.type is not FieldType.ROWS
                }
                for index, row in enumerate(submission.data.get(field_id, [])):
                    owner = row.get(ref.owner_column)
                    if owner not in {p.id for p in organisation.people}:
                        owner = organisation.people_with_role(source_definition.chair_role)[0].id
                    subject = {
                        "source_cycle": source.id,
                        "source_period": source.period_label,
                        "list": spec.label,
                        "item": f"{field_id}[{index}]",
                        "values": {
                            public_columns[k]: v for k, v in row.items() if k in public_columns
                        },
                    }
                    recipients.append((owner, ("ansvarig",), subject))
        return recipients

    # transitions and completion ---------------------------------------------------------------
    def transition(
        self,
        instance: CycleInstance,
        definition: CycleDefinition,
        event: Event,
        detail: dict[str, Any] | None = None,
    ) -> CycleInstance:
        assert instance.id is not None
        machine = self.machines.machine(definition, instance.definition_version)
        label = f"{instance.definition_name} {instance.period_key}"
        new_state = machine.fire(instance.state, event, label)
        step_run = self.tx.current_step_run(instance.id)
        if step_run is not None:
            self.tx.save_step_run(dataclasses.replace(step_run, closed_at=self.now))
            self.tx.cancel_timers(step_run_id=step_run.id)
            for request in self.tx.requests_for_step(step_run.id or 0):
                if request.status is RequestStatus.OPEN:
                    status = (
                        RequestStatus.CANCELLED if event is Event.DECIDED else RequestStatus.MISSING
                    )
                    self.tx.save_request(dataclasses.replace(request, status=status))
        old_state = instance.state
        instance = dataclasses.replace(instance, state=new_state)
        record = None
        if new_state in TERMINAL_STATES:
            record = self._completion(instance, new_state)
            instance = dataclasses.replace(instance, closed_at=self.now, outcome=record.outcome)
        instance = self.tx.save_instance(instance)
        self.audit(instance, event.value, old_state, new_state, detail or {})
        if record is not None:
            self._record_completion(instance, definition, record)
        else:
            instance = self.enter_step(instance, definition, new_state)
        return instance

    def _completion(self, instance: CycleInstance, final_state: str) -> CompletionRecord:
        assert instance.id is not None
        requests = self.tx.requests_for_instance(instance.id)
        missing = []
        for request in requests:
            if request.status is RequestStatus.MISSING:
                missing.append(
                    {
                        "request_id": request.id,
                        "step": request.step_id,
                        "person_id": request.person_id,
                        "person_name": self.organisation.name_of(request.person_id),
                        "roles": list(request.roles),
                    }
                )
        late = sum(1 for r in requests if r.status is RequestStatus.ANSWERED and r.late)
        if final_state == TERMINAL_CLOSED or missing:
            outcome = Outcome.CLOSED_INCOMPLETE
        elif late:
            outcome = Outcome.COMPLETED_LATE
        else:
            outcome = Outcome.COMPLETED_ON_TIME
        return CompletionRecord(instance.id, outcome, final_state, self.now, tuple(missing), late)

    def _record_completion(
        self, instance: CycleInstance, definition: CycleDefinition, record: CompletionRecord
    ) -> None:
        self.tx.add_completion(record)
        self.audit(
            instance,
            "cycle_closed",
            None,
            None,
            {
                "outcome": record.outcome.value,
                "missing": [m["person_id"] for m in record.missing],
                "late_inputs": record.late_inputs,
            },
        )
        for chair in self.organisation.people_with_role(definition.chair_role):
            self.tx.add_outbox(summary_message(definition, instance, record, chair, self.now))

    # helpers ------------------------------------------------------------------------------------
    def audit(
        self,
        instance: CycleInstance,
        event: str,
        from_state: str | None,
        to_state: str | None,
        detail: dict[str, Any],
    ) -> None:
        self.tx.add_audit(
            AuditEvent(
                at=self.now,
                definition_name=instance.definition_name,
                definition_version=instance.definition_version,
                event=event,
                actor=self.actor,
                instance_id=instance.id,
                from_state=from_state,
                to_state=to_state,
                detail=detail,
            )
        )

    def _timer(
        self,
        kind: TimerKind,
        key: str,
        due: datetime,
        instance: CycleInstance,
        step_run: StepRun,
        request_id: int | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        self.tx.add_timer(
            Timer(
                key=key,
                kind=kind,
                due_at=due,
                definition_name=instance.definition_name,
                instance_id=instance.id,
                step_run_id=step_run.id,
                request_id=request_id,
                payload=payload or {},
            )
        )


def open_requests(requests: Sequence[InputRequest]) -> list[InputRequest]:
    return [r for r in requests if r.status is RequestStatus.OPEN]
