"""Makes form-export.xlsx (as a form tool exports it: Excel dates and times as cell values, a
first sheet with nothing on it). Run from this folder: python make_xlsx.py"""

from datetime import date, datetime

from openpyxl import Workbook

book = Workbook()
book.active.title = "Om exporten"  # an empty first sheet: the rows are on the second
sheet = book.create_sheet("Svar")
sheet.append(["Tidpunkt", "Kategori", "Plats", "Område", "Antal", "Beskrivning", "lat", "lon"])
sheet.append([datetime(2026, 12, 20, 22, 5), "klotter", "Kungsgatan", None, 4, "Tags.", None, None])
sheet.append([date(2026, 12, 21), "Hot och våld", None, None, None, "Bråk.", 59.91960, 16.60040])
sheet.append([datetime(2026, 12, 22), "Narkotika", "Dammen", None, 1, "Langning?", None, None])
book.save("form-export.xlsx")

indicators = Workbook()
ws = indicators.active
ws.append(["Year", "Indicator", "Value", "Unit", "Source"])
ws.append([2026, "Reported vandalism", 380, "count", "Brå"])
ws.append([2026, "Feel unsafe at night", 23.5, "percent", "Police safety survey"])
indicators.save("indicators-en.xlsx")
