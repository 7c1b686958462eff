"""`lofte import observations` and `lofte import indicators`: real exports (CSV with `;` and
`,`, UTF-8 with a byte-order mark and Windows-1252 as Excel writes them, an XLSX made with
openpyxl), headers in Swedish or English or named by a mapping file; each bad row named by
its number and column, nothing stored when a row is bad unless `--skip-bad`, nothing stored
by `--dry-run`, nothing added by a second import of the same file; the lägesbild and the
place counts include what was imported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.cli.test_cli import run

DATA = Path(__file__).parents[1] / "data" / "imports"
PERIOD = ("--from", "2026-11-01", "--to", "2026-12-31")


def total(capsys: pytest.CaptureFixture[str], unit: str = "sala") -> int:
    code, out, err = run(capsys, "lagesbild", unit, *PERIOD)
    assert code == 0, err
    found = re.search(r": (\d+) iakttagelser", out)
    assert found, out
    return int(found.group(1))


def imported(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run(capsys, "import", "observations", "sala", *argv)


def test_a_swedish_export_with_semicolons_and_a_bom_is_read_and_matched_to_places(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, out, err = imported(capsys, str(DATA / "embrace-sv-semicolon-bom.csv"), "--dry-run")
    assert code == 0, err
    assert "6 rader, 6 lästa, 0 med fel; 6 nya, 0 redan inlästa" in out
    assert "Id → Id" in out and "Felanmält till → Felanmält till" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}
    assert "Sala resecentrum (annat namn)" in rows["2"]  # "Stationen" is an alias
    assert "Stora torget (namnet)" in rows["3"] and "Skadegörelse" in rows["3"]
    assert re.search(r"Stora torget \(\d+ m från koordinaterna\)", rows["4"])  # lat/lon only
    assert "annan plats" in rows["5"]  # Bakom Folkets hus is not in the register
    assert "annan plats (koordinater)" in rows["6"]  # far from every place
    assert "Ingenting sparades (--dry-run)." in out
    assert total(capsys) == 0

    code, out, err = imported(capsys, str(DATA / "embrace-sv-semicolon-bom.csv"))
    assert code == 0 and "Sparade 6 nya iakttagelser." in out, err
    assert total(capsys) == 6
    code, out, _ = run(capsys, "places", "sala", *PERIOD)
    assert re.search(r"^Stora torget .* 2\s*$", out, re.M)  # by name and by coordinates
    assert re.search(r"^Sala resecentrum .* 1\s*$", out, re.M)
    assert re.search(r"^Bakom Folkets hus +Norr +1", out, re.M)  # an "annan plats" to map

    code, out, _ = imported(capsys, str(DATA / "embrace-sv-semicolon-bom.csv"))
    assert code == 0 and "0 nya, 6 redan inlästa" in out and "Sparade 0 nya" in out
    assert total(capsys) == 6


def test_an_english_export_in_windows_1252_with_commas(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, out, err = imported(capsys, str(DATA / "form-en-comma-cp1252.csv"))
    assert code == 0, err
    assert "Category → Kategori" in out and "Reported to → Felanmält till" in out
    assert "Sparade 3 nya iakttagelser." in out
    code, out, _ = run(capsys, "lagesbild", "sala", *PERIOD, "--csv")
    assert "Återvinningsstationen Norrmalm" in out  # "Återvinningen", read from cp1252
    assert "Tags on the wall, north side." in out  # a quoted comma stays in its cell
    assert ";Klotter;" in out and ";Brand/anlagd brand;" in out


def test_an_xlsx_with_excel_dates_and_an_empty_first_sheet(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, out, err = imported(capsys, str(DATA / "form-export.xlsx"))
    assert code == 0, err
    assert "Tidpunkt → Datum" in out and "lat → Latitud" in out
    code, out, _ = run(capsys, "lagesbild", "sala", *PERIOD, "--csv")
    assert "2026-12-20 22:05;kväll" in out  # the date cell's own time of day
    assert "2026-12-22;okänd tid" in out  # midnight in a date cell: no time known
    assert "Sala resecentrum" in out  # matched by coordinates (about 4 m away)
    assert "Mellandammen" in out  # by its alias "Dammen"


def test_a_mapping_file_names_columns_and_categories(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, _, err = imported(capsys, str(DATA / "custom-headers.csv"))
    assert code == 1 and "kolumnen Kategori saknas" in err and "--mapping" in err
    assert "rubriker i filen: Händelse nr, Typ av händelse" in err
    argv = (str(DATA / "custom-headers.csv"), "--mapping", str(DATA / "mapping.yaml"))
    code, out, err = imported(capsys, *argv)
    assert code == 0, err
    assert "Typ av händelse → Kategori" in out and "Sparade 2 nya" in out
    assert "Intern anteckning" not in out  # mapped to "ingen": not read, not listed
    code, out, _ = run(capsys, "lagesbild", "sala", *PERIOD, "--csv")
    assert "2026-12-01 21:30;kväll" in out and ";Klotter;" in out
    assert ";Brand/anlagd brand;" in out
    code, out, _ = imported(capsys, *argv)
    assert "0 nya, 2 redan inlästa" in out  # by the file's own id column


def test_bad_rows_are_named_and_nothing_is_stored_unless_skipped(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    code, out, err = imported(capsys, str(DATA / "bad-rows.csv"))
    assert code == 1 and "ingenting sparades" in err
    assert "6 av 8 rader kan inte läsas" in err
    assert "rad 3, kolumn ”Kategori”: ”Tags” är ingen känd kategori" in err
    assert "rad 4, kolumn ”Datum”: ”5 dec” är inget datum (ÅÅÅÅ-MM-DD)" in err
    assert "rad 5, kolumn ”Klockslag”: ”25:00” är inget klockslag" in err
    assert "rad 6, kolumn ”Del av dygnet”: klockslaget 21:00 är kväll, inte morgon" in err
    assert "rad 7, kolumn ”Antal”: ”noll” är inget tal" in err
    assert "rad 8, plats saknas" in err
    assert "Traceback" not in err
    assert total(capsys) == 0
    code, out, _ = imported(capsys, str(DATA / "bad-rows.csv"), "--dry-run")
    assert code == 1 and "rad 3, kolumn ”Kategori”" in out and total(capsys) == 0
    code, out, err = imported(capsys, str(DATA / "bad-rows.csv"), "--skip-bad")
    assert code == 0, err
    assert "Rader med fel (hoppades över)" in out and "rad 8, plats saknas" in out
    assert "Sparade 2 nya iakttagelser." in out
    assert total(capsys) == 2


def test_what_cannot_be_read_is_said_in_swedish(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "init")
    code, _, err = imported(capsys, "saknas.csv")
    assert code == 1 and "filen saknas.csv finns inte" in err
    code, _, err = run(capsys, "import", "observations", "heby", str(DATA / "bad-rows.csv"))
    assert code == 1 and "heby" in err and "finns: fagersta" in err
    code, _, err = run(
        capsys, "import", "observations", "lpo-norra-vastmanland", str(DATA / "bad-rows.csv")
    )
    assert code == 1 and "ingen kommun" in err
    empty = tmp_path / "tom.csv"
    empty.write_bytes(b"")
    code, _, err = imported(capsys, str(empty))
    assert code == 1 and "tom.csv är tom" in err
    old = tmp_path / "gammal.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    code, _, err = imported(capsys, str(old))
    assert code == 1 and "Excels gamla format (.xls)" in err
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"PK\x03\x04 inte en arbetsbok")
    code, _, err = imported(capsys, str(broken))
    assert code == 1 and "kan inte läsas som en Excel-arbetsbok" in err
    blank = tmp_path / "tomt-ark.xlsx"
    Workbook().save(blank)
    code, _, err = imported(capsys, str(blank))
    assert code == 1 and "tomt-ark.xlsx har inga rader i något blad (inte ens rubriker)" in err
    only_headers = tmp_path / "bara-rubriker.csv"
    only_headers.write_text("Kategori;Plats;Datum\n", "utf-8")
    code, out, err = imported(capsys, str(only_headers))
    assert code == 0 and "0 rader" in out, err
    bad_mapping = tmp_path / "mappning.yaml"
    bad_mapping.write_text("columns:\n  Typ: färg\n", "utf-8")
    code, _, err = imported(capsys, str(DATA / "bad-rows.csv"), "--mapping", str(bad_mapping))
    assert code == 1 and "mappningsfilen mappning.yaml, columns, 'Typ': okänt fält 'färg'" in err
    code, out, _ = run(capsys, "import", "observations", "--help")
    assert code == 0 and "användning:" in out and "Felanmält till" in out
    assert "--skip-bad" in out and "hoppa över rader med fel" in out


def test_indicators_are_stored_with_their_source_and_versioned(
    env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "init")
    path = str(DATA / "indicators-sv.csv")
    code, out, err = run(capsys, "import", "indicators", "sala", path, "--dry-run")
    assert code == 0 and "Skulle spara: 4 nya" in out and "Ingenting sparades" in out, err
    code, out, err = run(capsys, "import", "indicators", "sala", path)
    assert code == 0 and "Sparade: 4 nya, 0 ändrade (ny version), 0 oförändrade." in out, err
    assert "23,5" in out and "Polisens trygghetsmätning" in out
    code, out, _ = run(capsys, "import", "indicators", "sala", path)
    assert "Sparade: 0 nya, 0 ändrade (ny version), 4 oförändrade." in out
    changed = tmp_path / "rattad.csv"
    changed.write_text(
        "År;Indikator;Värde;Enhet;Källa\n2026;Anmälda skadegörelsebrott;385;antal;"
        "Brå, anmälda brott\n",
        "utf-8",
    )
    code, out, _ = run(capsys, "import", "indicators", "sala", str(changed))
    assert "Sparade: 0 nya, 1 ändrade (ny version), 0 oförändrade." in out
    code, out, err = run(capsys, "import", "indicators", "sala", str(DATA / "indicators-en.xlsx"))
    assert code == 0 and "Sparade: 2 nya" in out, err
    bad = tmp_path / "fel.csv"
    bad.write_text("År;Indikator;Värde;Källa\ntjugo;X;1;Brå\n2026;Y;många;Brå\n", "utf-8")
    code, _, err = run(capsys, "import", "indicators", "sala", str(bad))
    assert code == 1 and "ingenting sparades" in err
    assert "rad 2, kolumn ”År”: ”tjugo” är inget tal" in err
    assert "rad 3, kolumn ”Värde”: ”många” är inget tal" in err
    code, _, err = run(capsys, "import", "indicators", "sala", str(DATA / "bad-rows.csv"))
    assert code == 1 and "kolumnen År saknas" in err
