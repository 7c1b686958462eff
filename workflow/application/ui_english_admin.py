"""The English of the administrators' and auditors' pages (see `ui_english`)."""

from __future__ import annotations

ADMIN = {
    # the console
    "Innehåll på sidan": "On this page",
    "Incidenter": "Incidents",
    "Öppna förfrågningar": "Open requests",
    "Definitioner": "Definitions",
    "Ladda upp definitioner": "Upload definitions",
    "Personer och roller": "People and roles",
    "Timerincidenter": "Timer incidents",
    "Timrar som inte gick att köra": "Timers that could not run",
    "Timer": "Timer",
    "timer": "timer",
    "Skulle köras": "Due",
    "Försök": "Attempts",
    "Kör igen": "Run again",
    "Inga timerincidenter.": "No timer incidents.",
    "E-posten levereras inte.": "Email is not being delivered.",
    "1 meddelande": "1 message",
    "{n} meddelanden": "{n} messages",
    "{count} har väntat sedan {since} och försöks igen automatiskt, så länge "
    "leveransjobbet är inställt att försöka (LOFTE_OUTBOX_RETRY_HORIZON, normalt tre dygn). "
    "Kontrollera e-postservern.": (
        "{count} waited since {since} and are tried again automatically, as long as "
        "the delivery job is set to try (LOFTE_OUTBOX_RETRY_HORIZON, normally three days). "
        "Check the mail server."
    ),
    "E-postincidenter": "Email incidents",
    "E-post som inte kunde levereras ({n})": "Email that could not be delivered ({n})",
    "Gäller": "Concerns",
    "Skicka igen": "Send again",
    "meddelande {id} till {to}": "message {id} to {to}",
    "Skicka igen när e-postservern fungerar. Leveransjobbet försöker då på nytt så länge det "
    "är inställt att försöka (normalt tre dygn).": (
        "Send again when the mail server works. The delivery job then tries anew as long as it "
        "is set to try (normally three days)."
    ),
    "Skicka alla igen": "Send all again",
    "Inga e-postincidenter.": "No email incidents.",
    "Möten de kommande {n} dagarna": "Meetings in the next {n} days",
    "Kommande möten, tidigaste först": "Coming meetings, earliest first",
    "Möte": "Meeting",
    "Enhet": "Unit",
    "Börjar": "Starts",
    "Deltagare": "Participants",
    "Inställt": "Called off",
    "Flytta eller ställ in": "Move or call off",
    "Inga möten de kommande {n} dagarna.": "No meetings in the next {n} days.",
    "Öppna förfrågningar (de 100 med närmast svarstid)": "Open requests (the 100 due soonest)",
    "Person": "Person",
    "Steg": "Step",
    "Skicka ny svarslänk": "Send a new answer link",
    "till": "to",
    "Inga öppna förfrågningar.": "No open requests.",
    "Definitioner i kraft": "Definitions in force",
    "Senaste version per enhet; välj en cykel för dess lägen, övergångar och "
    "tillståndsdiagram": "The latest version per unit; choose a cycle for its states, "
    "transitions and state diagram",
    "Cykel": "Cycle",
    "Version": "Version",
    "för": "for",
    "Ladda upp ändrade definitioner": "Upload changed definitions",
    "Ladda upp en ändrad definition eller organisationsfil.": "Upload a changed definition or "
    "organisation file.",
    "Personer": "People",
    "Personer och deras roller per enhet": "People and their roles per unit",
    "Namn": "Name",
    "E-post": "Email",
    "Part": "Party",
    "Roller": "Roles",
    "hela installationen": "the whole installation",
    "Timern körs igen.": "The timer runs again.",
    "En ny svarslänk är skickad.": "A new answer link is sent.",
    "Meddelandet är köat igen; leveransjobbet skickar det inom några minuter.": "The message "
    "is queued again; the delivery job sends it within minutes.",
    "E-postincidenterna är köade igen; leveransjobbet skickar dem inom några minuter.": (
        "The email incidents are queued again; the delivery job sends them within minutes."
    ),
    "Mötet är flyttat. Deltagarna får en uppdaterad inbjudan.": "The meeting is moved. The "
    "participants get an updated invitation.",
    "Mötet är inställt. Deltagarna får en avbokning.": "The meeting is called off. The "
    "participants get a cancellation.",
    # a definition
    "definition": "definition",
    "definitions-id": "definition id",
    "1 enhet": "1 unit",
    "{n} enheter": "{n} units",
    "{version} för {unit}": "{version} for {unit}",
    "Öppnas": "Opens",
    "Ordförande": "Chair",
    "Visa versionen för": "Show the version for",
    "Lägen och övergångar": "States and transitions",
    "Övergångar": "Transitions",
    "Övergångar (samma som i diagrammet)": "Transitions (the same as in the diagram)",
    "När": "When",
    "steg-id": "step id",
    "frågar": "asks",
    "möte": "meeting",
    "Tillståndsdiagram, rulla i sidled på en smal skärm": "State diagram, scroll sideways on "
    "a narrow screen",
    "Tillståndsdiagram": "State diagram",
    "{nodes} lägen och {transitions} övergångar, uppifrån och ned från första steget till "
    "slutlägena. Samma övergångar står i tabellen under diagrammet.": (
        "{nodes} states and {transitions} transitions, from the first step at the top down to "
        "the end states. The same transitions are in the table below the diagram."
    ),
    # a meeting
    "Flytta eller ställ in mötet": "Move or call off the meeting",
    "Mötet flyttades inte": "The meeting was not moved",
    "Slutar": "Ends",
    "Flytta mötet": "Move the meeting",
    "Ny start i svensk tid. Mötet behåller sin längd; deltagarna får en uppdaterad "
    "kalenderinbjudan.": (
        "A new start in Swedish time. The meeting keeps its length; the participants get an "
        "updated calendar invitation."
    ),
    "Datum": "Date",
    "ÅÅÅÅ-MM-DD, till exempel 2027-03-15": "YYYY-MM-DD, for example 2027-03-15",
    "Tid": "Time",
    "TT:MM, till exempel 13:30": "HH:MM, for example 13:30",
    "Ställ in mötet": "Call off the meeting",
    "Deltagarna får en avbokning. Ett inställt möte kan inte bokas om här.": "The participants "
    "get a cancellation. A meeting called off cannot be booked again here.",
    "Ställ in mötet …": "Call off the meeting …",
    "Ställa in mötet?": "Call off the meeting?",
    "{n} deltagare får en avbokning: {names}. Det går inte att ångra.": "{n} participants get "
    "a cancellation: {names}. It cannot be undone.",
    "Ja, ställ in mötet": "Yes, call off the meeting",
    "Nej, tillbaka till mötet": "No, back to the meeting",
    # uploads
    "Ladda upp definitioner och organisation": "Upload definitions and organisation",
    "Inget lästes in – {n} fel att rätta": "Nothing was loaded – {n} errors to correct",
    "Rätta filerna och": "Correct the files and",
    "ladda upp dem igen": "upload them again",
    "Uppsättningen i kraft är oförändrad.": "The setup in force is unchanged.",
    "Fel i filerna": "Errors in the files",
    "fält": "field",
    "Inläst": "Loaded",
    "Det här fick en ny version:": "These got a new version:",
    "Cykler som redan pågår behåller sin definitionsversion; nästa öppning använder den nya. "
    "En ändrad organisation gäller genast.": (
        "Cycles already running keep their definition version; the next opening uses the new "
        "one. A changed organisation applies at once."
    ),
    "Inga ändringar": "No changes",
    "{files} är redan inlästa precis så.": "{files} are already loaded exactly so.",
    "Hämta filerna som gäller nu (zip)": "Get the files in force now (zip)",
    ", ändra dem och ladda upp de ändrade här. Har någon annan läst in filer sedan du öppnade "
    "sidan sparas ingenting.": (
        ", change them and upload the changed ones here. If someone else has loaded files "
        "since you opened the page, nothing is stored."
    ),
    "Filer (YAML)": "Files (YAML)",
    "En eller flera .yaml-filer, högst {size} per fil och {n} filer. En definition heter som "
    "sin fil (till exempel est-inventering.yaml), organisationen heter organisation.yaml. "
    "Filer du inte laddar upp behålls som de är. Allt kontrolleras tillsammans med den "
    "nuvarande uppsättningen; är något fel sparas ingenting.": (
        "One or more .yaml files, at most {size} each and {n} files. A definition is named as "
        "its file (for example est-inventering.yaml), the organisation is organisation.yaml. "
        "Files you do not upload are kept as they are. Everything is checked together with "
        "the current setup; if anything is wrong, nothing is stored."
    ),
    "Kontrollera och läs in": "Check and load",
    # the auditors' pages
    "Har varje cykel körts och avslutats? Siffrorna gäller cykler vars period började inom "
    "det valda intervallet.": (
        "Has every cycle run and closed? The numbers are for cycles whose period began within "
        "the chosen dates."
    ),
    "Filtret kunde inte användas": "The filter could not be used",
    "Välj en enhet i listan.": "Choose a unit in the list.",
    "Till-datumet ligger före från-datumet.": "The to date is before the from date.",
    "Från: skriv datumet som ÅÅÅÅ-MM-DD.": "From: write the date as YYYY-MM-DD.",
    "Till: skriv datumet som ÅÅÅÅ-MM-DD.": "To: write the date as YYYY-MM-DD.",
    "Alla enheter": "All units",
    "Per enhet och cykel": "By unit and cycle",
    "Utfall per enhet och cykel": "Outcomes by unit and cycle",
    "Staplarna visar hur stor del av varje enhets cykler som avslutades i tid, sent, "
    "ofullständigt, utan beslut eller pågår; samma siffror står i tabellen nedanför.": (
        "The bars show what share of each unit's cycles closed on time, late, incomplete, "
        "without a decision or are still open; the same numbers are in the table below."
    ),
    "Cykler per enhet och slag": "Cycles by unit and kind",
    "I tid (%)": "On time (%)",
    "Inga cykler i det valda intervallet.": "No cycles within the chosen dates.",
    "Ladda ner tabellen (CSV för Excel)": "Download the table (CSV for Excel)",
    "Vem saknade svar": "Who did not reply",
    "Saknade svar per person": "Missing replies per person",
    "Saknade svar": "Missing replies",
    "Inga saknade svar.": "No missing replies.",
    "Perioder utan cykel": "Periods without a cycle",
    "skulle ha öppnat": "should have opened",
    "Varje period har haft sin cykel.": "Every period has had its cycle.",
    "Beslut utan uppföljning": "Decisions without a follow-up",
    "saknas": "is missing",
    "Varje beslut har följts upp.": "Every decision has been followed up.",
    "Alla cykler": "All cycles",
    "Cykler, senaste först; välj en för dess revisionslogg": "Cycles, newest first; choose one "
    "for its audit log",
    "Period": "Period",
    "Utfall": "Outcome",
    "Ladda ner alla cykler (CSV)": "Download all cycles (CSV)",
    "Revisionslogg": "Audit log",
    "pågår": "in progress",
    "Definitionsversion": "Definition version",
    "Revisionsloggen för cykeln, i ordning": "The cycle's audit log, in order",
    "Nr": "No.",
    "Händelse": "Event",
    "Av": "By",
    "Detaljer": "Details",
    "Öppnade": "Opened",
    "I tid": "On time",
    "Sent": "Late",
    "Ofullständiga": "Incomplete",
    "Inget att följa upp": "Nothing to follow up",
    "Pågår": "In progress",
}
