"""The English of the import page's fixed texts (`/enhet/<kommun>/inlasning`)."""

from __future__ import annotations

IMPORTS = {
    "Läs in iakttagelser": "Import observations",
    "{n} nya iakttagelser sparades; de räknas nu i lägesbilden.": (
        "{n} new observations were saved; they now count in the situational picture."
    ),
    "Förhandsgranskning": "Preview",
    "{rows} rader: {good} lästa, {bad} med fel; {new} nya, {already} redan inlästa.": (
        "{rows} rows: {good} read, {bad} with errors; {new} new, {already} imported before."
    ),
    "Kolumner": "Columns",
    "Lästes inte": "Not read",
    "Rader med fel": "Rows with errors",
    "Raderna": "The rows",
    "Raderna som de lästes": "The rows as they were read",
    "de första {n}": "the first {n}",
    "Rad": "Row",
    "Datum": "Date",
    "Tid": "Time",
    "Kategori": "Category",
    "Plats i registret": "Place in the register",
    "Antal": "Quantity",
    "Status": "Status",
    "redan inläst": "imported before",
    "ny": "new",
    "fel": "error",
    "Hoppa över raderna med fel och spara resten": "Skip the rows with errors and save the rest",
    "Spara {n} nya iakttagelser": "Save {n} new observations",
    "Det finns inget nytt att spara.": "There is nothing new to save.",
    "Läs in en annan fil": "Import another file",
    "En CSV- eller XLSX-fil med en iakttagelse per rad, till exempel en export från Embrace, "
    "ett Excelark eller ett formulär. Rubrikerna får vara på svenska eller engelska: Kategori, "
    "Plats, Område, Datum, Klockslag, Del av dygnet, Antal, Beskrivning, Åtgärd, Felanmält "
    "till, Latitud och Longitud. Platser matchas mot platsregistret; en plats som inte finns "
    "där blir en annan plats som du kopplar på platssidan. Ingenting sparas förrän du har sett "
    "förhandsgranskningen.": (
        "A CSV or XLSX file with one observation per row, for example an export from Embrace, "
        "an Excel sheet or a form. The headers may be in Swedish or English: Category, Place, "
        "Area, Date, Time, Part of the day, Quantity, Description, Action, Reported to, "
        "Latitude and Longitude. Places are matched against the place register; a place that "
        "is not there becomes another place that you map on the places page. Nothing is saved "
        "until you have seen the preview."
    ),
    "Fil (CSV eller XLSX, högst 2 MB)": "File (CSV or XLSX, at most 2 MB)",
    "Mappningsfil (YAML, om rubrikerna eller kategorierna heter annat)": (
        "Mapping file (YAML, if the headers or categories have other names)"
    ),
    "Förhandsgranska": "Preview",
    "Läs in iakttagelser från en fil": "Import observations from a file",
    # the fields a column is read as, and parts of the day
    "Id": "Id",
    "Plats": "Place",
    "Område": "Area",
    "Klockslag": "Time",
    "Del av dygnet": "Part of the day",
    "Beskrivning": "Description",
    "Åtgärd": "Action",
    "Felanmält till": "Reported to",
    "Latitud": "Latitude",
    "Longitud": "Longitude",
    "Bedömning": "Assessment",
    "natt": "night",
    "morgon": "morning",
    "dag": "day",
    "kväll": "evening",
    "okänd tid": "unknown time",
}
