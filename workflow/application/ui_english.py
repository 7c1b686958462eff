"""The English of the pages' fixed Swedish texts, for people with `language: en`: the pages
everyone reads (answers, tasks, units, sign-in, public pages, errors). The administrators'
and auditors' pages are in `ui_english_admin`."""

from __future__ import annotations

from lofte.workflow.application.ui_english_admin import ADMIN
from lofte.workflow.application.ui_english_effect import EFFECT
from lofte.workflow.application.ui_english_imports import IMPORTS
from lofte.workflow.application.ui_english_map import MAP
from lofte.workflow.application.ui_english_places import PLACES
from lofte.workflow.application.ui_english_promise import PROMISE

PAGES = {
    # the frame of every page
    "Hoppa till innehållet": "Skip to the content",
    "medborgarlöften": "citizen promises",
    "Huvudmeny": "Main menu",
    "Mina uppgifter": "My tasks",
    "Logga ut": "Sign out",
    "Logga in": "Sign in",
    "Tillgänglighetsredogörelse": "Accessibility statement",
    "Till startsidan": "To the start page",
    "Fel": "Error",
    "Tabell": "Table",
    "Start": "Start",
    "Löfte driver arbetet med medborgarlöften mellan Polisen och kommunerna: den veckovisa "
    "EST-inventeringen, EST-mötena, polisens operativa inriktning och kvartalets "
    "inriktningsbeslut med uppföljning.": "Löfte runs the citizen promises between the Police "
    "and the municipalities: the weekly EST inventory, the EST meetings, the police's "
    "operational direction and the quarter's direction decision with its follow-up.",
    "Har du fått en förfrågan via e-post? Använd knappen": "Did you get a request by email? "
    "Use the button",
    "Lämna ditt svar": "Give your reply",
    "i meddelandet; den leder direkt till ditt formulär.": "in the message; it leads straight "
    "to your form.",
    # accessibility statement
    "Löfte ska kunna användas av alla, enligt lagen (2018:1937) om tillgänglighet till "
    "digital offentlig service. Webbplatsen är byggd för att uppfylla WCAG 2.1 på nivå AA.": (
        "Everyone should be able to use Löfte, as the Swedish act (2018:1937) on accessible "
        "digital public services requires. The site is built to meet WCAG 2.1 level AA."
    ),
    "Så är webbplatsen byggd": "How the site is built",
    "Alla formulär fungerar med tangentbord och utan JavaScript.": "Every form works with a "
    "keyboard and without JavaScript.",
    "Felmeddelanden samlas överst på sidan, får fokus och länkar till fälten det gäller.": (
        "Error messages are gathered at the top of the page, take the focus and link to the "
        "fields they concern."
    ),
    "Sidorna går att använda på en skärm som är 320 pixlar bred och med förstorad text.": (
        "The pages can be used on a screen 320 pixels wide and with enlarged text."
    ),
    "Sidorna testas automatiskt med verktyget axe mot WCAG 2.1 A och AA.": "The pages are "
    "tested automatically with the axe tool against WCAG 2.1 A and AA.",
    "Kända brister": "Known shortcomings",
    "Vi känner inte till några brister. Hittar du en, kontakta den kommun eller det "
    "polisområde som skickade dig en förfrågan, så åtgärdar vi den.": (
        "We know of no shortcomings. If you find one, contact the municipality or police area "
        "that sent you a request, and we will fix it."
    ),
    "Tillsyn": "Supervision",
    "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn över lagen om "
    "tillgänglighet till digital offentlig service.": (
        "The Agency for Digital Government (Digg) supervises the act on accessible digital "
        "public services."
    ),
    # sign-in
    "Det gick inte att skicka en länk": "A link could not be sent",
    "Du behöver inget lösenord. Skriv den e-postadress som din kommun eller ditt polisområde "
    "har registrerat, så skickar vi en inloggningslänk. Länken gäller i {minutes} minuter och "
    "kan användas en gång.": (
        "You need no password. Write the email address your municipality or police area has "
        "registered, and we send you a sign-in link. The link is valid for {minutes} minutes "
        "and can be used once."
    ),
    "E-postadress": "Email address",
    "Skicka inloggningslänk": "Send a sign-in link",
    "Logga in i Löfte": "Sign in to Löfte",
    "Tryck på knappen för att logga in. Länken kan bara användas en gång.": "Press the button "
    "to sign in. The link can be used only once.",
    "Kontrollera din e-post": "Check your email",
    "Om adressen finns hos oss har vi skickat en inloggningslänk till den. Länken gäller i "
    "{minutes} minuter och kan användas en gång.": (
        "If we know the address, we have sent a sign-in link to it. The link is valid for "
        "{minutes} minutes and can be used once."
    ),
    "Kom inget meddelande? Kontrollera skräpposten, eller": "No message? Check your spam "
    "folder, or",
    "be om en ny länk": "ask for a new link",
    "Skriv din e-postadress, till exempel namn@kommun.se.": "Write your email address, for "
    "example name@municipality.se.",
    "inloggningslänken är redan använd eller har gått ut. Be om en ny länk; den gäller i "
    "{minutes} minuter och kan användas en gång": (
        "the sign-in link is already used or has expired. Ask for a new link; it is valid for "
        "{minutes} minutes and can be used once"
    ),
    "Länken går inte att använda": "The link cannot be used",
    "Du är utloggad": "You are signed out",
    "Logga in igen": "Sign in again",
    # sign-in through the organisation's identity provider (web.oidc_routes)
    "Logga in med det konto du har hos din kommun eller ditt polisområde.": (
        "Sign in with the account you have at your municipality or police area."
    ),
    "Logga in med {name}": "Sign in with {name}",
    "Eller få en inloggningslänk med e-post": "Or get a sign-in link by email",
    "Till inloggningen": "Back to sign-in",
    "Kontot finns inte i Löfte": "The account is not in Löfte",
    "{provider} har bekräftat att du är {value}, men ingen person i Löfte har den adressen. "
    "Be samordnaren för din kommun eller ditt polisområde att lägga till dig i "
    "organisationen med den adressen, eller logga in med ett annat konto.": (
        "{provider} confirmed that you are {value}, but no person in Löfte has that address. "
        "Ask the coordinator of your municipality or police area to add you to the "
        "organisation with that address, or sign in with another account."
    ),
    "E-postadressen är inte bekräftad": "The email address is not verified",
    "{provider} har inte bekräftat din e-postadress, så Löfte kan inte veta vem du är. "
    "Kontakta den som sköter ditt konto hos {provider}.": (
        "{provider} has not verified your email address, so Löfte cannot know who you are. "
        "Contact whoever looks after your account at {provider}."
    ),
    "Inloggningen säger inte vem du är": "The sign-in does not say who you are",
    "{provider} uppgav inte den uppgift som Löfte känner igen dig på. Kontakta den som "
    "sköter Löfte i din organisation.": (
        "{provider} did not give the detail Löfte knows you by. Contact whoever looks after "
        "Löfte in your organisation."
    ),
    "Inloggningen kunde inte slutföras": "The sign-in could not be completed",
    "Inloggningen hade hunnit bli för gammal eller började inte i den här webbläsaren. "
    "Börja om från inloggningssidan.": (
        "The sign-in had grown too old or did not start in this browser. Start again from the "
        "sign-in page."
    ),
    "Svaret från {provider} kunde inte godtas, och du är inte inloggad. Börja om från "
    "inloggningssidan; fortsätter det, kontakta den som sköter Löfte i din organisation.": (
        "The answer from {provider} could not be accepted, and you are not signed in. Start "
        "again from the sign-in page; if it goes on, contact whoever looks after Löfte in your "
        "organisation."
    ),
    "Inloggningstjänsten svarar inte": "The sign-in service does not answer",
    "{provider} gick inte att nå, och du är inte inloggad. Försök igen om en stund.": (
        "{provider} could not be reached, and you are not signed in. Try again in a while."
    ),
    # answer page and receipt
    "Fel i svaret": "Errors in the reply",
    "Svaret sparades inte – rätta {n} fel": "The reply was not saved – correct {n} errors",
    "Beslut": "Decision",
    "Svara senast": "Reply by",
    "Till": "To",
    "Ditt svar": "Your reply",
    "registrerat {when}; du kan ändra det tills steget avslutas": "recorded {when}; you can "
    "change it until the step closes",
    "Rad {n}": "Row {n}",
    "rad {n}": "row {n}",
    "Ta bort rad {n}": "Remove row {n}",
    "Lägg till en rad": "Add a row",
    "Spara det ändrade svaret": "Save the changed reply",
    "Skicka svaret": "Send the reply",
    "frivilligt": "optional",
    "lägst": "lowest",
    "högst": "highest",
    "Välj en person": "Choose a person",
    "Tack – svaret är registrerat": "Thank you – the reply is recorded",
    "{name}, ditt svar på": "{name}, your reply to",
    "registrerades": "was recorded",
    "efter sista svarsdag": "after the last day for replies",
    "Kopia av ditt svar": "A copy of your reply",
    "Känslig uppgift – visas inte här": "Sensitive content – not shown here",
    "Du kan": "You can",
    "ändra svaret": "change the reply",
    "tills steget avslutas. Varje version sparas i revisionsloggen.": "until the step closes. "
    "Every version is kept in the audit log.",
    "Behöver du lämna eller ändra ett svar? Kontakta samordnaren för din kommun, eller be om "
    "en ny länk från den som skickade förfrågan.": (
        "Do you need to give or change a reply? Contact your municipality's coordinator, or "
        "ask whoever sent the request for a new link."
    ),
    "Länken är inte giltig": "The link is not valid",
    "Länken har gått ut": "The link has expired",
    "Svaret är redan registrerat": "The reply is already recorded",
    "Steget är avslutat": "The step is closed",
    # my tasks
    "Att svara på": "To reply to",
    "Försenad": "Overdue",
    "skulle ha besvarats": "was due",
    "Du har inget att svara på just nu.": "You have nothing to reply to right now.",
    "Kommande möten": "Coming meetings",
    "inställt": "called off",
    "Inga kommande möten.": "No coming meetings.",
    "Besvarade": "Answered",
    "besvarad": "answered",
    "sent": "late",
    "Inga besvarade förfrågningar ännu.": "No answered requests yet.",
    "Dina enheter": "Your units",
    "lägesbild": "situational picture",
    "åtgärder": "actions",
    "lägesbild och åtgärdsplan för året (fil)": "the year's picture and action plan (file)",
    "Administration": "Administration",
    "incidenter, svarslänkar, definitioner och personer": "incidents, answer links, "
    "definitions and people",
    "Revision": "Audit",
    "har varje cykel körts och avslutats?": "has every cycle run and closed?",
    # a cycle and an action
    "Läge": "State",
    "Öppnad": "Opened",
    "Avslutad": "Closed",
    "Cykelns innehåll tillhör en annan part; du ser den sammanfattning som delas med dig.": (
        "The cycle's content belongs to another party; you see the summary shared with you."
    ),
    "Möten": "Meetings",
    "Svar senast": "Replies by",
    "efter tidsfristen": "after the deadline",
    "Skyddade uppgifter visas inte här": "Protected content is not shown here",
    "Ingen har tillfrågats i det här steget.": "Nobody was asked in this step.",
    "Åtgärder som beslutades här": "Actions decided here",
    "alla åtgärder": "all actions",
    "Plats": "Place",
    "Problemområde": "Problem area",
    "Ansvarig": "Owner",
    "Klart senast": "Due",
    "Status": "Status",
    "Beslutad i": "Decided in",
    "Indikator": "Indicator",
    "Utgångsläge": "Baseline",
    "Effekt": "Effect",
    "effekt": "effect",
    "Uppföljning": "Follow-up",
    "Inte uppföljd ännu.": "Not followed up yet.",
    "Åtgärder": "Actions",
    "Insatser, tidiga insatser och åtaganden med ansvarig, status och uppföljning.": (
        "Interventions, early interventions and commitments with owner, status and follow-up."
    ),
    "Ladda ner (CSV)": "Download (CSV)",
    "Slag": "Kind",
    "Åtgärd": "Action",
    "Inga åtgärder.": "No actions.",
    # the lägesbild
    "Lägesbild": "Situational picture",
    "Från": "From",
    "Visa": "Show",
    "{total} iakttagelser ({previous} under lika lång period innan) i {reports} rapporter; "
    "{nothing} rapporterade inget.": (
        "{total} observations ({previous} in the period of equal length before) in {reports} "
        "reports; {nothing} reported nothing."
    ),
    "Ladda ner iakttagelserna (CSV)": "Download the observations (CSV)",
    "Per kategori": "By category",
    "Iakttagelser per kategori": "Observations by category",
    "Antal iakttagelser per kategori under perioden; tabellen nedanför har samma siffror och "
    "perioden innan.": (
        "Observations by category in the period; the table below has the same numbers and "
        "the period before."
    ),
    "Kategori": "Category",
    "Antal": "Count",
    "Perioden innan": "The period before",
    "Per område": "By area",
    "Område": "Area",
    "Mest rapporterade platser": "Places reported most",
    "Inga platser.": "No places.",
    "Per veckodag och tid på dygnet": "By weekday and time of day",
    "Iakttagelser per veckodag": "Observations by weekday",
    "Antal iakttagelser per veckodag; tabellen nedanför har samma siffror.": "Observations by "
    "weekday; the table below has the same numbers.",
    "Per veckodag": "By weekday",
    "Per tid på dygnet": "By time of day",
    "Alla iakttagelser": "Every observation",
    "bedömning": "assessment",
    "Inga iakttagelser under perioden.": "No observations in the period.",
    # public pages
    "Medborgarlöftet i {unit}": "The citizen promise in {unit}",
    "Medborgarlöften": "Citizen promises",
    "Här publicerar kommunerna och Polisen vad de har kommit överens om i sina "
    "medborgarlöften och hur arbetet har följts upp.": (
        "Here the municipalities and the Police publish what they agreed in their citizen "
        "promises and how the work was followed up."
    ),
    "Beslut och uppföljningar som kommunen och Polisen har valt att publicera, det senaste "
    "först.": "Decisions and follow-ups the municipality and the Police chose to publish, "
    "newest first.",
    "Prenumerera (Atom-flöde)": "Subscribe (Atom feed)",
    "Arkiv per kvartal": "Archive by quarter",
    "publicerat": "published",
    "Inget är publicerat ännu.": "Nothing is published yet.",
    # error pages
    "Felaktig förfrågan": "Bad request",
    "Du har inte behörighet": "You are not allowed",
    "Sidan finns inte": "The page does not exist",
    "Metoden stöds inte": "The method is not supported",
    "Det du skickade är för stort": "What you sent is too large",
    "Något gick fel": "Something went wrong",
    "Förfrågan kunde inte läsas. Gå tillbaka och försök igen.": "The request could not be "
    "read. Go back and try again.",
    "Du saknar den roll som behövs för att se sidan.": "You lack the role needed to see the page.",
    "Kontrollera adressen. Länkar i e-post från Löfte går till rätt sida.": "Check the "
    "address. Links in email from Löfte lead to the right page.",
    "Sidan kan inte användas på det sättet.": "The page cannot be used that way.",
    "Ett svar får vara högst 512 kB. Korta texten och försök igen.": "A reply may be at most "
    "512 kB. Shorten the text and try again.",
    "Ett oväntat fel inträffade. Inget av det du skickade sparades till hälften; försök igen "
    "om en stund. Felet är loggat.": (
        "An unexpected error occurred. Nothing you sent was half saved; try again in a while. "
        "The error is logged."
    ),
    "Formuläret kunde inte tas emot": "The form could not be received",
    "Formuläret hade hunnit bli för gammalt eller kom inte från Löfte. Ladda om sidan och "
    "skicka igen; inget sparades.": (
        "The form had become too old or did not come from Löfte. Reload the page and send "
        "again; nothing was saved."
    ),
}

MAIL = {  # workflow.application.mail_notes: beside a person's open requests
    "frånvarande till {day} enligt autosvar": "away until {day} according to an automatic reply",
    "e-posten kom inte fram ({error})": "the email was not delivered ({error})",
}

ENGLISH: dict[str, str] = (
    IMPORTS | PAGES | ADMIN | PROMISE | PLACES | EFFECT | MAP | MAIL
)  # pages win
