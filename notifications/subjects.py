"""Subject lines, in the recipient's language: what, which cycle and unit, and by when."""

from __future__ import annotations

from lofte.kernel import words
from lofte.workflow.application.texts import article, outcome_text
from lofte.workflow.core.message_types import (
    ActionMessage,
    CatchUpMessage,
    CycleRef,
    DecisionMessage,
    DeliveryAlertMessage,
    DigestMessage,
    EscalationMessage,
    MeetingMessage,
    MessageContext,
    NoticeMessage,
    PersonRemovedMessage,
    ReplyReadMessage,
    RequestMessage,
    SignInMessage,
    SummaryMessage,
)
from lofte.workflow.core.records import Outcome


def _head(cycle: CycleRef) -> str:
    """`EST-inventering v. 5 2027, Sala kommun`."""
    return f"{cycle.head}, {cycle.unit_name}"


def subject(context: MessageContext, language: str) -> str:
    en = language == "en"
    match context:
        case RequestMessage(reminder_number=number) if number:
            due = words.moment_short(context.deadline, language)
            return (
                f"Reminder: {_head(context.cycle)} – reply by {due}"
                if en
                else f"Påminnelse: {_head(context.cycle)} – svar senast {due}"
            )
        case RequestMessage():
            due = words.moment_short(context.deadline, language)
            return (
                f"{_head(context.cycle)} – reply by {due}"
                if en
                else f"{_head(context.cycle)} – svar senast {due}"
            )
        case EscalationMessage():
            what = "Missing replies" if en else "Saknade svar"
            return f"{what}: {_head(context.cycle)} – {context.step_title}"
        case SummaryMessage():
            outcome = outcome_text(Outcome(context.outcome), context.gender, language)
            return f"{_head(context.cycle)}: {outcome}"
        case MeetingMessage():
            return _meeting(context, language)
        case ActionMessage():
            return (
                f"You own {article(context.kind, 'en')} {context.action_kind}: {context.what}"
                if en
                else f"Du är ansvarig för {article(context.kind)} {context.action_kind}: "
                f"{context.what}"
            )[:200]
        case DecisionMessage():
            title = context.decision_title or ("Decided" if en else "Beslut")
            return f"{title}: {_head(context.cycle)}"
        case ReplyReadMessage(recorded=True):
            what = "Your reply is recorded" if en else "Ditt svar är registrerat"
            return f"{what}: {_head(context.cycle)}"
        case ReplyReadMessage():
            what = "Your reply could not be read" if en else "Ditt svar kunde inte läsas"
            return f"{what}: {_head(context.cycle)}"
    return _notice(context, language)


def _notice(context: NoticeMessage, language: str) -> str:
    """The subjects of messages about no one cycle: notices, digests, sign-in, alerts."""
    en = language == "en"
    match context:
        case CatchUpMessage():
            return (
                f"After downtime: messages that were not sent ({context.unit_name})"
                if en
                else f"Efter driftstopp: meddelanden som inte skickades ({context.unit_name})"
            )
        case DigestMessage():
            return (
                f"Your tasks in the citizen promise – {context.date_label}"
                if en
                else f"Dina uppgifter i medborgarlöftet – {context.date_label}"
            )
        case SignInMessage():
            return "Sign in to Löfte" if en else "Logga in i Löfte"
        case PersonRemovedMessage():
            return (
                f"{context.person_name} has left: their tasks in {context.unit_name} are yours"
                if en
                else f"{context.person_name} har slutat: uppgifterna i {context.unit_name} är "
                "nu dina"
            )
        case DeliveryAlertMessage():
            since = words.moment(context.failing_since, language)
            return (
                f"Email from Löfte has not been delivered since {since}"
                if en
                else f"E-post från Löfte har inte kunnat skickas sedan {since}"
            )


def _meeting(context: MeetingMessage, language: str) -> str:
    """`Inbjudan: Styrgruppens möte om inriktningsbeslut – tis 30 mars kl. 09.00 (Sala kommun)`."""
    start = words.moment_short(context.starts_at, language)
    change = {
        "invite": ("Inbjudan", "Invitation"),
        "update": ("Ändrad tid", "New time"),
        "cancel": ("Inställt", "Cancelled"),
    }[context.change][1 if language == "en" else 0]
    title = context.meeting_title or context.cycle.short_title
    return f"{change}: {title} – {start} ({context.cycle.unit_name})"
