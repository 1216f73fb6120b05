from docpipe.analysis.normalize import (
    find_amount, find_date, find_due, find_duration, find_jurisdiction, find_parties,
)


def test_dates_in_common_contract_forms():
    assert find_date("entered into as of March 1, 2024 (the Effective Date)") == ("March 1, 2024", "2024-03-01")
    assert find_date("made this 15th day of June, 2019") == ("15th day of June, 2019", "2019-06-15")
    assert find_date("dated 2020-01-09") == ("2020-01-09", "2020-01-09")
    assert find_date("on February 30, 2020") is None  # not a real date
    assert find_date("no date here") is None


def test_governing_law_jurisdiction():
    text = "This Agreement shall be governed by the laws of the State of New York, without regard to"
    assert find_jurisdiction(text) == "State of New York"
    assert find_jurisdiction("construed in accordance with the laws of England and Wales") == "England and Wales"
    assert find_jurisdiction("the laws of physics") is None  # no governing-law context


def test_durations_and_amounts():
    assert find_duration("upon ninety (90) days' written notice") == ("ninety (90) days", "P90D")
    assert find_duration("an initial term of three (3) years") == ("three (3) years", "P3Y")
    assert find_amount("a fee of $45,000 per month") == ("$45,000", "45000.00 USD")
    assert find_amount("US$2.5 million") == ("US$2.5 million", "2500000.00 USD")
    assert find_amount("$2 million cap")[1] == "2000000.00 USD"


def test_parties_from_preamble():
    text = ('This Agreement is entered into by and between Northwind Analytics, Inc., a Delaware '
            'corporation ("Provider"), and Harbor Freight Logistics LLC, a New York limited liability '
            'company ("Customer").')
    assert find_parties(text) == ["Northwind Analytics, Inc.", "Harbor Freight Logistics LLC"]


def test_due_dates_in_action_items():
    assert find_due("David will send the language by Friday, March 15.") == "Friday, March 15"
    assert find_due("I'll get it to you by next week") == "next week"
    assert find_due("nothing due") is None
